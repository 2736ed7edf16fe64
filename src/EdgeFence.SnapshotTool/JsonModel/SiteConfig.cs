namespace EdgeFence.SnapshotTool.JsonModel;

internal sealed class SiteConfig
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Slug { get; set; }
    public string? OriginUrl { get; set; }
    public List<string?>? Hosts { get; set; }

    /// <summary>The HMAC key is the UTF-8 bytes of this string.</summary>
    public string? HmacSecret { get; set; }

    /// <summary>The clear origin key; only its SHA-256 goes into the snapshot.</summary>
    public string? OriginKey { get; set; }

    public Dictionary<string, string?>? StaticHeaders { get; set; }
    public Dictionary<string, string?>? StaticQuery { get; set; }
    public bool DenyByDefault { get; set; }

    /// <summary>Top-up link for prepaid customers; <c>{customer}</c> is replaced by the customer id.</summary>
    public string? TopUpUrl { get; set; }

    public X402Config? X402 { get; set; }

    /// <summary>Filter MCP tools/list answers to the caller's plan.</summary>
    public bool McpFilterTools { get; set; }
}
