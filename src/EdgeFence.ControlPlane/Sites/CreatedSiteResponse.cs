namespace EdgeFence.ControlPlane.Sites;

/// <summary>The answer to <c>POST /v1/sites</c>: the site and its two secrets, which no later answer repeats.</summary>
public sealed class CreatedSiteResponse : SiteResponse
{
    /// <summary>The HMAC key origins verify <c>X-EdgeFence-Signature</c> with: the UTF-8 bytes of this string.</summary>
    public required string HmacSecret { get; init; }

    /// <summary>The bearer key the origin presents to <c>POST /v1/authorize</c> (middleware mode). Stored only as its SHA-256.</summary>
    public required string OriginKey { get; init; }
}
