using System.Runtime.InteropServices;

namespace EdgeFence.Edge.Store;

/// <summary>
/// What one edge has counted for one entitlement (token id): the two fixed windows of the sliding
/// rate limit, the units of the current billing period, and, when edges share quotas through Redis,
/// this node's lease and its last view of the global ledger. One record, so one FASTER
/// read-modify-write both checks and counts a request atomically.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EntitlementCounters
{
    public long RateWindowStartMs;
    public long RateCurrent;
    public long RatePrevious;
    public long PeriodStartMs;

    /// <summary>Units this node admitted in the period (including overage on soft quotas), net of what it gave back.</summary>
    public long Used;

    /// <summary>Units this node admitted beyond a soft quota in the period (standalone: what gets billed).</summary>
    public long Overage;

    /// <summary>Units of the period's hard quota granted to this node by the Redis ledger, cumulative.</summary>
    public long Leased;

    /// <summary>Size of the last lease slice granted: the lease is refilled when less than half of it is left.</summary>
    public long LastGrant;

    /// <summary>Global units admitted in the period as of the last sync (all nodes).</summary>
    public long GlobalUsed;

    /// <summary>This node's <see cref="Used"/> as pushed in that sync, so the global estimate adds only what came since.</summary>
    public long UsedAtSync;

    /// <summary>Units of the quota not yet granted to any node as of the last ledger answer; -1 unknown.</summary>
    public long GlobalFree;

    /// <summary>The quota <see cref="GlobalFree"/> was computed for: a plan change makes it unknown again.</summary>
    public long GlobalFreeQuota;

    /// <summary>Process epoch in which this record was reconciled with this node's own fields in Redis.</summary>
    public long SyncedEpoch;

    /// <summary>Rate window the other nodes' counts below belong to (as of the last sync).</summary>
    public long OthersWindowStartMs;

    /// <summary>Requests the other nodes admitted in that window, and in the one before it.</summary>
    public long OthersCurrent;
    public long OthersPrevious;

    /// <summary>
    /// Units this node gave back in the period (<see cref="EnforceOperation.Refund"/>), cumulative. The ledger keeps
    /// this node's gross count (<see cref="Used"/> + <see cref="Refunded"/>) and its refunds as two grow-only fields,
    /// so a refund of units already pushed reaches every edge and the control plane, and a replayed push changes nothing.
    /// </summary>
    public long Refunded;

    /// <summary>This node's <see cref="Refunded"/> as pushed in the last sync (with <see cref="UsedAtSync"/>).</summary>
    public long RefundedAtSync;

    /// <summary>What this node admitted in the period before any refund: grow-only, pushed as its <c>u:</c> field.</summary>
    public readonly long Gross => Used + Refunded;

    /// <summary>What the last sync pushed of <see cref="Gross"/>.</summary>
    public readonly long GrossAtSync => UsedAtSync + RefundedAtSync;
}
