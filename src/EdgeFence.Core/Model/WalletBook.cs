namespace EdgeFence.Core.Model;

/// <summary>
/// Every prepaid balance's credited total, versioned and signed like a snapshot but sent on its own, so a
/// deposit reaches the edges without a snapshot of every token being rebuilt and re-sent.
/// </summary>
public sealed class WalletBook
{
    /// <summary>Strictly increasing: the control plane's count of credits.</summary>
    public required long Version { get; init; }

    /// <summary>When the control plane built it, Unix milliseconds (informational).</summary>
    public long CreatedAtUnixMs { get; init; }

    public IReadOnlyList<WalletRecord> Wallets { get; init; } = [];
}
