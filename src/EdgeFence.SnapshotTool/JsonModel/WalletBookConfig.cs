namespace EdgeFence.SnapshotTool.JsonModel;

/// <summary>The JSON of a wallet book: every balance's credited total.</summary>
internal sealed class WalletBookConfig
{
    public long? Version { get; set; }
    public List<WalletConfig?>? Wallets { get; set; }
}
