namespace EdgeFence.Edge.Store;

/// <summary>The verdict of one counter read-modify-write and the figures for the RateLimit headers.</summary>
internal struct EnforceOutput
{
    public EnforceVerdict Verdict;

    /// <summary>Requests still admissible in the sliding window after this one.</summary>
    public long RateRemaining;

    /// <summary>Milliseconds until the current fixed window ends.</summary>
    public long RateResetMs;

    /// <summary>Units left in the period after this request, never negative.</summary>
    public long QuotaRemaining;

    /// <summary>Milliseconds until a denied request could be admitted.</summary>
    public long RetryAfterMs;

    public EntitlementCounters Counters;
}
