namespace EdgeFence.SnapshotTool.JsonModel;

internal sealed class RateLimitConfig
{
    public int? Requests { get; set; }
    public int? WindowSeconds { get; set; }
}
