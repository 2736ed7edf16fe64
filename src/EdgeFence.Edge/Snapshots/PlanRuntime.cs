using System.Globalization;
using EdgeFence.Core.Limits;
using EdgeFence.Core.Model;

namespace EdgeFence.Edge.Snapshots;

/// <summary>A plan compiled for the request path: limits as plain numbers, the policy header pre-rendered.</summary>
internal sealed class PlanRuntime
{
    public PlanRuntime(Plan plan, bool[]? covers)
    {
        Plan = plan;
        Covers = covers;
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

    /// <summary>The <c>RateLimit-Policy</c> value (draft-ietf-httpapi-ratelimit-headers), or null when the plan has no limits.</summary>
    public string? PolicyHeader { get; }

    public bool CoversResource(ResourceRuntime resource) => Covers is null || Covers[resource.Ordinal];

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
