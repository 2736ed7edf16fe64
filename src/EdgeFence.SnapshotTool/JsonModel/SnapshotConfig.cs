namespace EdgeFence.SnapshotTool.JsonModel;

/// <summary>The JSON an operator writes; every member is optional here so that SnapshotBuilder can name what is missing.</summary>
internal sealed class SnapshotConfig
{
    public long? Version { get; set; }
    public List<SiteConfig?>? Sites { get; set; }
    public List<PlanConfig?>? Plans { get; set; }
    public List<ResourceConfig?>? Resources { get; set; }
    public List<TokenConfig?>? Tokens { get; set; }
}
