using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Plans;

/// <summary>One revision of a plan's terms, as stored and as the snapshot carries them.</summary>
/// <remarks><see cref="ResourcePrices"/> is kept ordered by resource id, so two revisions with the same prices compare equal.</remarks>
internal sealed record PlanTerms(
    string Name,
    long? QuotaUnits,
    QuotaPeriod QuotaPeriod,
    QuotaMode QuotaMode,
    int? RateLimitRequests,
    int RateLimitWindowSeconds,
    long PriceMicros,
    string Currency,
    PlanBilling Billing,
    IReadOnlyList<ResourcePrice> ResourcePrices,
    long? OveragePriceMicros = null)
{
    /// <summary>Value equality, the list included: an update that sends the same terms makes no new revision.</summary>
    public bool Equals(PlanTerms? other) =>
        other is not null && Name == other.Name && QuotaUnits == other.QuotaUnits && QuotaPeriod == other.QuotaPeriod
        && QuotaMode == other.QuotaMode && RateLimitRequests == other.RateLimitRequests
        && RateLimitWindowSeconds == other.RateLimitWindowSeconds && PriceMicros == other.PriceMicros
        && Currency == other.Currency && Billing == other.Billing && ResourcePrices.SequenceEqual(other.ResourcePrices)
        && OveragePriceMicros == other.OveragePriceMicros;

    public override int GetHashCode() => HashCode.Combine(Name, QuotaUnits, PriceMicros, Currency, Billing, ResourcePrices.Count);
}
