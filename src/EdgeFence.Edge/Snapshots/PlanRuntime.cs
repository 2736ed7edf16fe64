using System.Globalization;
using EdgeFence.Core.Limits;
using EdgeFence.Core.Model;

namespace EdgeFence.Edge.Snapshots;

/// <summary>A plan compiled for the request path: limits as plain numbers, the policy header pre-rendered.</summary>
internal sealed class PlanRuntime
{
    public PlanRuntime(Plan plan, bool[]? covers, long[]? ownPrices = null)
    {
        Plan = plan;
        Covers = covers;
        OwnPrices = ownPrices;
        Prepaid = plan.Billing == PlanBilling.Prepaid;
        QuotaUnits = plan.QuotaUnits ?? long.MaxValue;
        SoftQuota = plan.QuotaMode == QuotaMode.Soft;
        RateLimit = plan.RateLimitRequests ?? 0;
        RateWindowMs = plan.RateLimitWindowSeconds * 1000L;
        PolicyHeader = BuildPolicyHeader(plan);
    }

    public Plan Plan { get; }

    /// <summary>Indexed by <see cref="ResourceRuntime.Ordinal"/>; null when the plan covers every resource of its site.</summary>
    public bool[]? Covers { get; }

    public long QuotaUnits { get; }
    public bool SoftQuota { get; }
    public long RateLimit { get; }
    public long RateWindowMs { get; }

    public bool HasQuota => QuotaUnits != long.MaxValue;

    /// <summary>Calls debit their price from the customer's balance in <see cref="Plan.Currency"/>.</summary>
    public bool Prepaid { get; }

    /// <summary>Indexed by <see cref="ResourceRuntime.Ordinal"/>: this plan's own price per call, -1 where it has none; null when it has none at all.</summary>
    private long[]? OwnPrices { get; }

    /// <summary>The price of one call to <paramref name="resource"/> on this plan, in micro-units of the resource's currency.</summary>
    public long PriceOf(ResourceRuntime resource)
        => OwnPrices is { } own && own[resource.Ordinal] >= 0 ? own[resource.Ordinal] : resource.Resource.PriceMicros;

    /// <summary>The <c>RateLimit-Policy</c> value (draft-ietf-httpapi-ratelimit-headers), or null when the plan has no limits.</summary>
    public string? PolicyHeader { get; }

    public bool CoversResource(ResourceRuntime resource) => Covers is null || Covers[resource.Ordinal];

    // The billing period containing the last request: calendar arithmetic once per period and plan
    // instead of once per request. Immutable and published by reference, so readers never see a start
    // from one period and an end from another.
    private PeriodBounds? _period;

    /// <summary>The bounds of the billing period that contains <paramref name="nowMs"/> (see <see cref="BillingPeriod.GetBounds"/>).</summary>
    public void GetPeriodBounds(long nowMs, out long startMs, out long endMs)
    {
        var period = Volatile.Read(ref _period);
        if (period is null || nowMs < period.StartMs || nowMs >= period.EndMs)
        {
            BillingPeriod.GetBounds(Plan.QuotaPeriod, nowMs, out var start, out var end);
            period = new PeriodBounds(start, end);
            Volatile.Write(ref _period, period);
        }

        startMs = period.StartMs;
        endMs = period.EndMs;
    }

    private sealed record PeriodBounds(long StartMs, long EndMs);

    private static string? BuildPolicyHeader(Plan plan)
    {
        var parts = new List<string>(2);
        if (plan.RateLimitRequests is { } requests)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"\"rate\";q={requests};w={plan.RateLimitWindowSeconds}"));
        }

        if (plan.QuotaUnits is { } units)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"\"quota\";q={units};w={BillingPeriod.NominalSeconds(plan.QuotaPeriod)}"));
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }
}
