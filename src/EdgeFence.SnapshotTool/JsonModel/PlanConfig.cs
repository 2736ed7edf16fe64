namespace EdgeFence.SnapshotTool.JsonModel;

internal sealed class PlanConfig
{
    public string? Id { get; set; }
    public string? SiteId { get; set; }
    public string? Name { get; set; }
    public QuotaConfig? Quota { get; set; }
    public RateLimitConfig? RateLimit { get; set; }
    public long PriceMicros { get; set; }
    public string? Currency { get; set; }
    public List<string?>? ResourceIds { get; set; }

    /// <summary><c>subscription</c> (default) or <c>prepaid</c>.</summary>
    public string? Billing { get; set; }

    /// <summary>This plan's own price per call, by resource id.</summary>
    public Dictionary<string, long>? ResourcePrices { get; set; }
}
