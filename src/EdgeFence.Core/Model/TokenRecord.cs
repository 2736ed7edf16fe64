namespace EdgeFence.Core.Model;

/// <summary>An API token as the edge knows it: only its SHA-256 hash, never the token.</summary>
public sealed class TokenRecord
{
    /// <summary>
    /// Stable id of the entitlement. Counters are keyed by it, so a token and its rotated successor share
    /// the id (and site, plan and customer) and keep one usage. Unique per token is the <see cref="Hash"/>.
    /// </summary>
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    public required string PlanId { get; init; }
    public required string Customer { get; init; }

    /// <summary>SHA-256 of the token's UTF-8 bytes (32 bytes).</summary>
    public required byte[] Hash { get; init; }

    /// <summary>Unix seconds after which the token is refused; 0 means never.</summary>
    public long ExpiresAtUnix { get; init; }

    public bool Revoked { get; init; }

    /// <summary>
    /// Refused with 402 until the owner's billing clears it (a subscription whose payment failed past its grace
    /// period). Unlike <see cref="Revoked"/> it is undone: the next paid invoice lifts it.
    /// </summary>
    public bool Suspended { get; init; }
}
