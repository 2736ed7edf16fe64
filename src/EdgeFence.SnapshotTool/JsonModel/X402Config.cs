namespace EdgeFence.SnapshotTool.JsonModel;

internal sealed class X402Config
{
    public string? FacilitatorUrl { get; set; }
    public string? Network { get; set; }
    public string? Asset { get; set; }
    public string? PayTo { get; set; }
    public string? AssetName { get; set; }
    public string? AssetVersion { get; set; }
    public int? AssetDecimals { get; set; }
    public string? Currency { get; set; }
    public int? MaxTimeoutSeconds { get; set; }
}
