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

    /// <summary>The customer when no token names one: an x402 payer, <c>x402:&lt;address&gt;</c>.</summary>
    public string? PaidBy;

    /// <summary>The x402 settlement transaction of a paid call, for the decision log.</summary>
    public string? PaymentTransaction;

    /// <summary>An end user's account (<c>&lt;token's customer&gt;:&lt;user&gt;</c>, OpenAi/OpenAiEndUser.cs) when the call was decided for one.</summary>
    public string? EndUserCustomer;

    public readonly PlanRuntime? Plan => Token?.Plan;

    /// <summary>The customer the origin and the log see: the end user's account, else the token's, else the payer's.</summary>
    public readonly string? Customer => EndUserCustomer ?? Token?.Customer ?? PaidBy;

    public readonly bool IsDenied => Outcome == DecisionOutcome.Denied;
}
