namespace EdgeFence.ControlPlane.Wallets;

/// <summary>What the edges debited from one balance, as the Redis ledger holds it: cumulative, per edge and in all.</summary>
public sealed class CurrencyDebits
{
    public required string Currency { get; init; }

    /// <summary>The sum of every edge's <c>u:&lt;node&gt;</c> field.</summary>
    public required long DebitedMicros { get; init; }

    /// <summary>Micro-units each edge (its <c>EdgeFence:NodeId</c>) debited since the balance was first used.</summary>
    public required Dictionary<string, long> ByEdge { get; init; }
}
