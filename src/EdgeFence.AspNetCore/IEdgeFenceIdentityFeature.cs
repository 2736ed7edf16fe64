namespace EdgeFence.AspNetCore;

/// <summary>
/// Who the edge says is calling: set on <see cref="Microsoft.AspNetCore.Http.HttpContext.Features"/> by
/// the signature middleware (from the verified headers) and by the authorize middleware (from the
/// edge's decision). Read it with <see cref="EdgeFenceHttpContextExtensions.GetEdgeFenceIdentity"/>.
/// </summary>
public interface IEdgeFenceIdentityFeature
{
    /// <summary>The customer the token belongs to; null on requests the edge did not enforce (no resource matched).</summary>
    string? Customer { get; }

    /// <summary>The token's plan id; null on requests the edge did not enforce.</summary>
    string? Plan { get; }

    /// <summary>The token's id (never the token itself); null on requests the edge did not enforce.</summary>
    string? TokenId { get; }

    /// <summary>The edge's id for this request, as it appears in the edge's decision log.</summary>
    string RequestId { get; }

    /// <summary>What the edge charged for this call, in millionths of <see cref="ChargedCurrency"/>; 0 when nothing (signed, from <c>X-EdgeFence-Charged</c>).</summary>
    long ChargedMicros { get; }

    /// <summary>The ISO 4217 code of <see cref="ChargedMicros"/>; null when nothing was charged.</summary>
    string? ChargedCurrency { get; }
}
