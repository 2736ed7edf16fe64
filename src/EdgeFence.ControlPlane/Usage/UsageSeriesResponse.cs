namespace EdgeFence.ControlPlane.Usage;

/// <summary><c>GET /v1/analytics/series</c>: a site's (or every site's) decisions per step, every step present, empty ones as zeros.</summary>
public sealed class UsageSeriesResponse
{
    /// <summary>The site, or null for all sites.</summary>
    public required string? SiteId { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public required long StepSeconds { get; init; }
    public required List<UsagePoint> Points { get; init; }
}
