namespace EdgeFence.ControlPlane.Usage;

/// <summary><c>GET /v1/analytics/customers/{customer}</c>: one customer's decisions in a range, over time and per token.</summary>
public sealed class CustomerUsageResponse
{
    public required string Customer { get; init; }
    public required UsageTotalsResponse Totals { get; init; }
    public required UsageSeriesResponse Series { get; init; }
    public required List<TokenTotals> Tokens { get; init; }
}
