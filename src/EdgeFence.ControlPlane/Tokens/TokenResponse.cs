namespace EdgeFence.ControlPlane.Tokens;

/// <summary>A token as the API shows it: never the token itself, which exists only in the answer that issued it.</summary>
public class TokenResponse
{
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    public required string PlanId { get; init; }

    /// <summary>The plan revision whose terms the token is on (a plan update does not move it).</summary>
    public required long PlanRevision { get; init; }

    public required string Customer { get; init; }
    public required bool Revoked { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset? ExpiresAt { get; init; }
    public required DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When billing suspended the token (a subscription unpaid past its grace period); null when it is not.</summary>
    public DateTimeOffset? SuspendedAt { get; init; }
}
