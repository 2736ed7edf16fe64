namespace EdgeFence.ControlPlane.Usage;

/// <summary>One token's decisions in a range (<c>GET /v1/analytics/customers/{customer}</c>).</summary>
public sealed class TokenTotals
{
    public required string TokenId { get; init; }
    public required string SiteId { get; init; }
    public long Requests { get; set; }
    public long Units { get; set; }
}
