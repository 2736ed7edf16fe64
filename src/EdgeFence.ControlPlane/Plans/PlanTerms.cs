using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Plans;

/// <summary>One revision of a plan's terms, as stored and as the snapshot carries them.</summary>
internal sealed record PlanTerms(
    string Name,
    long? QuotaUnits,
    QuotaPeriod QuotaPeriod,
    QuotaMode QuotaMode,
    int? RateLimitRequests,
    int RateLimitWindowSeconds,
    long PriceMicros,
    string Currency);
