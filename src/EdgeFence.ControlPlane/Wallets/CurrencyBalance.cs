namespace EdgeFence.ControlPlane.Wallets;

/// <summary>One balance of a customer: what was credited, what the edges debited, and what is left.</summary>
public sealed class CurrencyBalance
{
    public required string Currency { get; init; }

    /// <summary>Every deposit's amount, summed (from the database: always known).</summary>
    public required long CreditedMicros { get; init; }

    /// <summary>What every edge debited; null when it cannot be known (no <c>ControlPlane:Redis</c>).</summary>
    public required long? DebitedMicros { get; init; }

    /// <summary>
    /// <c>credited − debited</c>; null when debited is unknown. Below zero only by the edges' documented
    /// over-spend bound while Redis was down.
    /// </summary>
    public required long? BalanceMicros { get; init; }

    /// <summary>Each edge's debits; null when debited is unknown.</summary>
    public required Dictionary<string, long>? ByEdge { get; init; }
}
