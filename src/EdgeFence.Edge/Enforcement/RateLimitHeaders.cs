using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Enforcement;

/// <summary>
/// <c>RateLimit-Policy</c> and <c>RateLimit</c> (draft-ietf-httpapi-ratelimit-headers) on every
/// enforced response, and <c>Retry-After</c> on 429. Two policies: <c>"rate"</c> (the sliding window)
/// and <c>"quota"</c> (the billing period). Remaining is never negative; on 429 the reset of the
/// refusing policy equals Retry-After, which is at least 1.
/// </summary>
internal static class RateLimitHeaders
{
    public const string Policy = "RateLimit-Policy";
    public const string Current = "RateLimit";

    public static void Apply(IHeaderDictionary headers, in Decision decision)
    {
        if (TryGet(decision, out var policy, out var current))
        {
            headers[Policy] = policy;
            headers[Current] = current;
        }

        if (decision.RetryAfterSeconds > 0)
        {
            headers.RetryAfter = decision.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The two header values, when the decision counted against a plan that has limits (the fast path writes them as bytes).</summary>
    public static bool TryGet(in Decision decision, out string policy, out string current)
    {
        if (decision.Counted && decision.Plan is { PolicyHeader: { } header } plan)
        {
            policy = header;
            current = Format(plan.RateLimit > 0, plan.HasQuota, decision);
            return true;
        }

        policy = current = "";
        return false;
    }

    private static string Format(bool rate, bool quota, in Decision d)
    {
        var inv = CultureInfo.InvariantCulture;
        return (rate, quota) switch
        {
            (true, true) => string.Create(inv, $"\"rate\";r={d.RateRemaining};t={d.RateResetSeconds}, \"quota\";r={d.QuotaRemaining};t={d.QuotaResetSeconds}"),
            (true, false) => string.Create(inv, $"\"rate\";r={d.RateRemaining};t={d.RateResetSeconds}"),
            _ => string.Create(inv, $"\"quota\";r={d.QuotaRemaining};t={d.QuotaResetSeconds}"),
        };
    }
}
