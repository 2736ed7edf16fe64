namespace EdgeFence.Core.Ledger;

/// <summary>
/// The fields of one ledger hash in Redis (a token's quota in a period, or a customer's balance) that say how much was
/// used: each edge raises its own <c>u:&lt;node&gt;</c> (what it admitted, gross) and <c>r:&lt;node&gt;</c> (what it
/// gave back after admitting it), both grow-only, so a replayed push never counts twice. Used is Σu − Σr. The edge's
/// Lua scripts and every reader in the control plane (balances, usage, the dashboard, the meter export) sum the same way.
/// </summary>
public static class LedgerFields
{
    /// <summary>Prefix of a node's admitted (gross) count.</summary>
    public const string UsedPrefix = "u:";

    /// <summary>Prefix of a node's given-back count.</summary>
    public const string RefundedPrefix = "r:";

    /// <summary>+1 for a used field, −1 for a refunded field, 0 for any other field (leases, grants).</summary>
    public static int Weight(string field) =>
        field.StartsWith(UsedPrefix, StringComparison.Ordinal) ? 1 : field.StartsWith(RefundedPrefix, StringComparison.Ordinal) ? -1 : 0;
}
