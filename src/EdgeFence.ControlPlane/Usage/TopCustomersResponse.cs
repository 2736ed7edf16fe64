namespace EdgeFence.ControlPlane.Usage;

/// <summary><c>GET /v1/analytics/top-customers</c>: the customers with the most units, then the most requests.</summary>
public sealed class TopCustomersResponse
{
    public required string? SiteId { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public required List<CustomerTotals> Items { get; init; }
}
