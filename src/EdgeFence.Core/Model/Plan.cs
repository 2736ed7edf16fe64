namespace EdgeFence.Core.Model;

/// <summary>A pricing tier: a quota per billing period and a rate limit.</summary>
public sealed class Plan
{
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    public required string Name { get; init; }

    /// <summary>Units per billing period; <c>null</c> means no quota.</summary>
    public long? QuotaUnits { get; init; }

    public QuotaPeriod QuotaPeriod { get; init; } = QuotaPeriod.Month;
    public QuotaMode QuotaMode { get; init; } = QuotaMode.Hard;

    /// <summary>Requests per window; <c>null</c> means no rate limit.</summary>
    public int? RateLimitRequests { get; init; }

    public int RateLimitWindowSeconds { get; init; } = 60;

    /// <summary>Price per period in millionths of the currency unit (billed by subscription, informational at the edge).</summary>
    public long PriceMicros { get; init; }

    public string Currency { get; init; } = "USD";

    /// <summary>Resource ids this plan covers; empty means every resource of the site.</summary>
    public IReadOnlyList<string> ResourceIds { get; init; } = [];

    /// <summary>Subscription (calls count against the quota) or prepaid (each call's price is debited from a balance in <see cref="Currency"/>).</summary>
    public PlanBilling Billing { get; init; } = PlanBilling.Subscription;

    /// <summary>This plan's own price per call for some resources, overriding <see cref="Resource.PriceMicros"/>.</summary>
    public IReadOnlyList<ResourcePrice> ResourcePrices { get; init; } = [];
}
