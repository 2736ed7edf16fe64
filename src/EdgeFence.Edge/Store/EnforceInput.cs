namespace EdgeFence.Edge.Store;

/// <summary>The plan's limits and the request's cost, handed to the counter read-modify-write.</summary>
internal struct EnforceInput
{
    public long NowMs;

    /// <summary>Requests per window; 0 means no rate limit.</summary>
    public long RateLimit;
    public long RateWindowMs;

    public long PeriodStartMs;

    /// <summary>Units per period; <see cref="long.MaxValue"/> means no quota.</summary>
    public long QuotaUnits;
    public bool SoftQuota;
    public long Cost;

    /// <summary>When true, only roll windows and report; count nothing (usage reads).</summary>
    public bool ReadOnly;
}
