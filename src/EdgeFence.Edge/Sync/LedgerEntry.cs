using EdgeFence.Edge.Snapshots;

namespace EdgeFence.Edge.Sync;

/// <summary>An entitlement whose local counts changed since they were last pushed to the ledger.</summary>
internal sealed record LedgerEntry(TokenRuntime Token);
