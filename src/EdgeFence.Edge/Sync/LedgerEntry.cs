namespace EdgeFence.Edge.Sync;

/// <summary>An account whose local counts changed since they were last pushed to the ledger.</summary>
internal sealed record LedgerEntry(LedgerAccount Account);
