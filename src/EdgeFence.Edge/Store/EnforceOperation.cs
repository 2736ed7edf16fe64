namespace EdgeFence.Edge.Store;

/// <summary>What a counter read-modify-write does.</summary>
internal enum EnforceOperation : byte
{
    /// <summary>Check and count one request.</summary>
    Enforce = 0,

    /// <summary>Only roll windows and report (usage reads).</summary>
    Read = 1,

    /// <summary>Record a lease granted by the ledger (<see cref="EnforceInput.LedgerLeased"/>, <see cref="EnforceInput.LedgerFree"/>).</summary>
    ApplyLease = 2,

    /// <summary>Record the global sums read back by the reconciler (<see cref="EnforceInput.LedgerUsed"/>, <see cref="EnforceInput.LedgerFree"/>).</summary>
    ApplySync = 3,

    /// <summary>After a restart: take max(local, ledger) of this node's own used and leased units.</summary>
    Resync = 4,

    /// <summary>Record the other nodes' rate-window counts (<see cref="EnforceInput.LedgerWindowStartMs"/>, <see cref="EnforceInput.LedgerOthersCurrent"/>, <see cref="EnforceInput.LedgerOthersPrevious"/>).</summary>
    ApplyRateSync = 5,

    /// <summary>
    /// Give back what one admitted request counted (<see cref="EnforceInput.Cost"/> units and its place in
    /// the rate window) when a later check of the same request refused it (its balance did not cover it).
    /// </summary>
    Refund = 6,
}
