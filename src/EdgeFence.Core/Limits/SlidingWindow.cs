namespace EdgeFence.Core.Limits;

/// <summary>
/// Window math for the sliding-window rate limit. EdgeFence counts requests in fixed windows aligned
/// to the Unix epoch and estimates the sliding window as the current window's count plus the previous
/// window's count weighted by the share of it that still lies inside the sliding window. Two counters
/// per key instead of a log of timestamps: O(1) memory and a single FASTER read-modify-write.
/// All arithmetic is in integer milliseconds, scaled by the window length, so no rounding can admit
/// a request that exact arithmetic would refuse.
/// </summary>
public static class SlidingWindow
{
    /// <summary>Start of the fixed window that contains <paramref name="nowMs"/>.</summary>
    public static long WindowStart(long nowMs, long windowMs) => nowMs - Mod(nowMs, windowMs);

    /// <summary>
    /// True when one more request fits: previous·(W−e) + (current+1)·W ≤ limit·W, where e is the
    /// time elapsed in the current window.
    /// </summary>
    public static bool Admits(long previous, long current, long limit, long elapsedMs, long windowMs)
    {
        var weightedPrevious = SaturatingMultiply(previous, windowMs - elapsedMs);
        var needed = SaturatingAdd(weightedPrevious, SaturatingMultiply(SaturatingAdd(current, 1), windowMs));
        return needed <= SaturatingMultiply(limit, windowMs);
    }

    /// <summary>Requests still admissible now, never negative: floor(limit − estimate).</summary>
    public static long Remaining(long previous, long current, long limit, long elapsedMs, long windowMs)
    {
        var used = SaturatingAdd(SaturatingMultiply(previous, windowMs - elapsedMs), SaturatingMultiply(current, windowMs));
        var free = SaturatingMultiply(limit, windowMs) - used;
        return free <= 0 ? 0 : free / windowMs;
    }

    /// <summary>
    /// Milliseconds from now until one more request would be admitted if no other request arrives:
    /// first within the current window as the previous window's weight fades, else in the next window
    /// as the current count becomes the fading one. Returns 0 when it is admitted now.
    /// </summary>
    public static long MillisecondsUntilAdmitted(long previous, long current, long limit, long elapsedMs, long windowMs)
    {
        if (limit <= 0)
        {
            return long.MaxValue;
        }

        if (Admits(previous, current, limit, elapsedMs, windowMs))
        {
            return 0;
        }

        // Within this window: previous·(W−e−d) ≤ (limit−current−1)·W.
        var slack = limit - current - 1;
        if (slack >= 0 && previous > 0)
        {
            var maxRemainingWeight = SaturatingMultiply(slack, windowMs) / previous;
            var d = windowMs - elapsedMs - maxRemainingWeight;
            if (d < 0)
            {
                d = 0;
            }

            if (elapsedMs + d < windowMs)
            {
                return d;
            }
        }

        // In the next window (previous' = current, current' = 0): current·(W−e') ≤ (limit−1)·W.
        var untilNextWindow = windowMs - elapsedMs;
        if (current <= 0)
        {
            return untilNextWindow;
        }

        var maxWeight = SaturatingMultiply(limit - 1, windowMs) / current;
        var into = windowMs - maxWeight;
        return untilNextWindow + (into < 0 ? 0 : into);
    }

    private static long Mod(long value, long modulus)
    {
        var r = value % modulus;
        return r < 0 ? r + modulus : r;
    }

    private static long SaturatingMultiply(long a, long b)
    {
        var product = Math.BigMul(a, b, out long low);
        return product == 0 && low >= 0 ? low : product == -1 && low < 0 ? low : (a < 0) ^ (b < 0) ? long.MinValue : long.MaxValue;
    }

    private static long SaturatingAdd(long a, long b)
    {
        var sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : sum;
    }
}
