namespace EdgeFence.ControlPlane.Plans;

/// <summary>A plan's current terms. <see cref="Revision"/> grows with each update; tokens keep the revision they were issued on.</summary>
public sealed class PlanResponse
{
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    public required string Name { get; init; }
    public required long Revision { get; init; }
    public required QuotaBody? Quota { get; init; }
    public required RateLimitBody? RateLimit { get; init; }
    public required decimal Price { get; init; }
    public required string Currency { get; init; }

    /// <summary><c>subscription</c> or <c>prepaid</c>.</summary>
    public required string Billing { get; init; }

    /// <summary>This plan's own price per call by resource id, in currency units.</summary>
    public required IReadOnlyDictionary<string, decimal> ResourcePrices { get; init; }

    /// <summary>Price per unit past the soft quota, billed through a Stripe metered Price; null when overage is not billed.</summary>
    public decimal? OveragePrice { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
