namespace EdgeFence.SnapshotTool.JsonModel;

internal sealed class WalletConfig
{
    public string? SiteId { get; set; }
    public string? Customer { get; set; }
    public string? Currency { get; set; }
    public long? CreditedMicros { get; set; }
}
