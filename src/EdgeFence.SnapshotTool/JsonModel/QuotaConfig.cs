namespace EdgeFence.SnapshotTool.JsonModel;

internal sealed class QuotaConfig
{
    public long? Units { get; set; }

    /// <summary>hour, day, week, month or year; any case.</summary>
    public string? Period { get; set; }

    /// <summary>hard or soft; any case.</summary>
    public string? Mode { get; set; }
}
