namespace EdgeFence.Edge.Store;

/// <summary>The plan's limits and the request's cost, handed to the counter read-modify-write.</summary>
internal struct EnforceInput
{
    public EnforceOperation Operation;

    public long NowMs;

    /// <summary>Requests per window; 0 means no rate limit.</summary>
    public long RateLimit;
    public long RateWindowMs;

    public long PeriodStartMs;

    /// <summary>Units per period; <see cref="long.MaxValue"/> means no quota.</summary>
    public long QuotaUnits;
    public bool SoftQuota;
    public long Cost;

    /// <summary>Counts of this entitlement are shared through the Redis ledger (quota or rate limit).</summary>
    public bool Shared;

    /// <summary>Hard quota shared through the Redis ledger: admit only against this node's lease.</summary>
    public bool LeaseMode;

    /// <summary>Current process epoch; a record synced in another epoch must be resynced first.</summary>
    public long Epoch;

    /// <summary>Redis is not answering: decide from local counts, never ask for a lease or a resync.</summary>
    public bool LedgerDown;

    /// <summary>Units this node may admit beyond its lease while Redis is unreachable (its share of MaxOverAdmission).</summary>
    public long OutageAllowance;

    /// <summary>Edges sharing the ledger: while Redis is down a node also takes 1/EdgeCount of the units no node had leased.</summary>
    public long EdgeCount;

    /// <summary>Ledger figures for <see cref="EnforceOperation.ApplyLease"/>, <see cref="EnforceOperation.ApplySync"/>, <see cref="EnforceOperation.Resync"/>.</summary>
    /// <remarks>
    /// ApplySync: <see cref="LedgerUsed"/> is the global net sum (Σu − Σr), <see cref="LedgerPushedUsed"/> and
    /// <see cref="LedgerPushedRefunded"/> this node's net used and refunds as pushed. Resync: <see cref="LedgerUsed"/> is
    /// this node's gross <c>u:</c> field and <see cref="LedgerRefunded"/> its <c>r:</c> field.
    /// </remarks>
    public long LedgerLeased;
    public long LedgerUsed;
    public long LedgerRefunded;
    public long LedgerPushedUsed;
    public long LedgerPushedRefunded;
    public long LedgerFree;
    public long LedgerPeriodStartMs;
    public long LedgerWindowStartMs;
    public long LedgerOthersCurrent;
    public long LedgerOthersPrevious;
}
