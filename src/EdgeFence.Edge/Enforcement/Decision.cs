using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Enforcement;

/// <summary>The verdict on one request and everything the response needs to say about it. A struct: deciding allocates nothing.</summary>
internal struct Decision
{
    public DecisionOutcome Outcome;
    public DenyReason Reason;

    public RouteRuntime? Route;
    public ResourceRuntime? Resource;
    public TokenRuntime? Token;

    /// <summary>Where the catch-all part of the matched path begins (-1 when the pattern has none).</summary>
    public int RemainderStart;

    /// <summary>Whether the plan's counters were consulted (then the RateLimit headers apply).</summary>
    public bool Counted;

    public long RateRemaining;
    public long RateResetSeconds;
    public long QuotaRemaining;
    public long QuotaResetSeconds;

    /// <summary>Unix seconds at which the quota period ends.</summary>
    public long QuotaResetUnix;

    /// <summary>For 429: seconds until a retry can succeed, at least 1.</summary>
    public long RetryAfterSeconds;

    /// <summary>
    /// Not <see cref="EnforceVerdict.Admitted"/> when the decision waits for the Redis ledger (a lease, or
    /// the resync after a restart): the caller awaits <see cref="DecisionEngine.ResolveAsync"/> and decides
    /// again. Until then the decision reads as a quota denial.
    /// </summary>
    public EnforceVerdict Pending;

    /// <summary>The account the pending decision waits on (the token's entitlement, or its balance) and what the request costs it.</summary>
    public Sync.LedgerAccount? PendingAccount;
    public long PendingCost;

    /// <summary>On a prepaid plan: the call's price, and the balance left after it (before it, on a 402), in the plan's currency.</summary>
    public long PriceMicros;
    public long BalanceMicros;

    /// <summary>What an allowed call was charged, in millionths of <see cref="ChargedCurrency"/> (0: nothing).</summary>
    public long ChargedMicros;

    /// <summary>The ISO 4217 code of <see cref="ChargedMicros"/>; null when nothing was charged.</summary>
    public string? ChargedCurrency;

    public readonly PlanRuntime? Plan => Token?.Plan;

    public readonly bool IsDenied => Outcome == DecisionOutcome.Denied;
}
