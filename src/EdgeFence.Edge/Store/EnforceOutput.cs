namespace EdgeFence.Edge.Store;

/// <summary>The verdict of one counter read-modify-write and the figures for the RateLimit headers.</summary>
internal struct EnforceOutput
{
    public EnforceVerdict Verdict;

    /// <summary>Requests still admissible in the sliding window after this one.</summary>
    public long RateRemaining;

    /// <summary>Milliseconds until the current fixed window ends.</summary>
    public long RateResetMs;

    /// <summary>Units left in the period after this request, never negative (global estimate in lease mode).</summary>
    public long QuotaRemaining;

    /// <summary>Milliseconds until a denied request could be admitted.</summary>
    public long RetryAfterMs;

    /// <summary>Lease mode: the lease is running low and the ledger has more; fetch the next slice now.</summary>
    public bool PrefetchLease;

    public EntitlementCounters Counters;
}
