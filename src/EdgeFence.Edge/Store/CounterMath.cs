using EdgeFence.Core.Limits;

namespace EdgeFence.Edge.Store;

/// <summary>
/// The one place that decides and counts: rolls the windows forward, checks the rate limit, then the
/// quota, and counts only what it admits. Runs inside FASTER's read-modify-write with the record
/// locked, so concurrent requests for one token see each other's counts exactly.
/// </summary>
internal static class CounterMath
{
    public static void Apply(ref EntitlementCounters value, ref EnforceInput input, ref EnforceOutput output)
    {
        var now = input.NowMs;

        // Roll the rate windows: the current becomes the previous once, then both age out.
        var elapsed = 0L;
        if (input.RateLimit > 0)
        {
            var windowStart = SlidingWindow.WindowStart(now, input.RateWindowMs);
            if (value.RateWindowStartMs != windowStart)
            {
                value.RatePrevious = value.RateWindowStartMs == windowStart - input.RateWindowMs ? value.RateCurrent : 0;
                value.RateCurrent = 0;
                value.RateWindowStartMs = windowStart;
            }

            elapsed = now - windowStart;
        }

        // A new period starts from zero. A period start earlier than the recorded one means the clock
        // went back: keep counting in the later period rather than hand out a fresh quota.
        if (input.PeriodStartMs > value.PeriodStartMs)
        {
            value.PeriodStartMs = input.PeriodStartMs;
            value.Used = 0;
            value.Overage = 0;
        }

        output.Verdict = EnforceVerdict.Admitted;
        if (!input.ReadOnly)
        {
            if (input.RateLimit > 0 && !SlidingWindow.Admits(value.RatePrevious, value.RateCurrent, input.RateLimit, elapsed, input.RateWindowMs))
            {
                output.Verdict = EnforceVerdict.RateLimited;
                output.RetryAfterMs = SlidingWindow.MillisecondsUntilAdmitted(value.RatePrevious, value.RateCurrent, input.RateLimit, elapsed, input.RateWindowMs);
            }
            else if (!input.SoftQuota && input.QuotaUnits != long.MaxValue && value.Used + input.Cost > input.QuotaUnits)
            {
                output.Verdict = EnforceVerdict.QuotaExhausted;
            }
            else
            {
                value.RateCurrent++;
                var before = value.Used;
                value.Used += input.Cost;
                if (input.SoftQuota && input.QuotaUnits != long.MaxValue && value.Used > input.QuotaUnits)
                {
                    value.Overage += value.Used - Math.Max(before, input.QuotaUnits);
                }
            }
        }

        output.RateRemaining = input.RateLimit > 0 ? SlidingWindow.Remaining(value.RatePrevious, value.RateCurrent, input.RateLimit, elapsed, input.RateWindowMs) : long.MaxValue;
        output.RateResetMs = input.RateLimit > 0 ? input.RateWindowMs - elapsed : 0;
        output.QuotaRemaining = input.QuotaUnits == long.MaxValue ? long.MaxValue : Math.Max(0, input.QuotaUnits - value.Used);
        output.Counters = value;
    }
}
