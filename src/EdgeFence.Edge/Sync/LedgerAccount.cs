using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Sync;

/// <summary>
/// What the edges share through the Redis ledger, as <see cref="QuotaSync"/> sees it: one counter record
/// (<see cref="CounterKey"/>) with a limit per period. Two kinds: an entitlement (a token's quota and rate
/// limit, per billing period) and a prepaid balance (a hard quota in money that never resets), so a
/// balance is leased and reconciled by exactly the code that already keeps hard quotas exact.
/// </summary>
internal abstract class LedgerAccount
{
    protected LedgerAccount(Key128 counterKey) => CounterKey = counterKey;

    /// <summary>
    /// The Redis hash slot of the account's keys (ledger and rate windows share one hash tag, so one slot), or -1
    /// until <see cref="QuotaSync"/> first needs it: computed once per account, not per request.
    /// </summary>
    internal int HashSlot = -1;

    /// <summary>Key of the account's record in the counter store.</summary>
    public Key128 CounterKey { get; }

    /// <summary>The limit per period; <see cref="long.MaxValue"/> when there is none.</summary>
    public abstract long QuotaUnits { get; }

    public abstract bool SoftQuota { get; }

    /// <summary>Requests per window; 0 when there is no rate limit.</summary>
    public abstract long RateLimit { get; }

    public abstract long RateWindowMs { get; }

    public bool HasQuota => QuotaUnits != long.MaxValue;

    /// <summary>Start of the period that contains <paramref name="nowMs"/> (0 for an account that never resets).</summary>
    public abstract long PeriodStartMs(long nowMs);

    /// <summary>Redis key of the account's ledger hash for one period.</summary>
    public abstract string LedgerKey(long periodStartMs);

    /// <summary>Redis key of the account's rate-window hash (same hash slot as the ledger).</summary>
    public abstract string RateKey(long windowStartMs);

    /// <summary>When the ledger of the period may go (Unix ms): long enough for billing to read it.</summary>
    public abstract long ExpireAtMs(long periodStartMs);
}
