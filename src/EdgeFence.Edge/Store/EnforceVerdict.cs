namespace EdgeFence.Edge.Store;

internal enum EnforceVerdict : byte
{
    Admitted = 0,
    RateLimited = 1,
    QuotaExhausted = 2,

    /// <summary>Lease mode: this node's lease is used up but the ledger may have more. Nothing was counted.</summary>
    NeedLease = 3,

    /// <summary>Lease mode: first use in this process; reconcile with the ledger first. Nothing was counted.</summary>
    NeedResync = 4,
}
