namespace EdgeFence.SnapshotTool.JsonModel;

internal sealed class ResourceConfig
{
    public string? Id { get; set; }
    public string? SiteId { get; set; }
    public string? Pattern { get; set; }
    public List<string?>? Methods { get; set; }
    public long? Cost { get; set; }
    public string? PrivatePath { get; set; }
    public long PriceMicros { get; set; }
    public string? Currency { get; set; }

    /// <summary><c>token</c> (default), <c>x402</c> or <c>token-or-x402</c>.</summary>
    public string? Payment { get; set; }

    /// <summary><c>http</c> (default) or <c>mcp</c>: an MCP endpoint, priced per JSON-RPC call.</summary>
    public string? Kind { get; set; }

    /// <summary>On an MCP resource: the tool this resource prices; left out for the endpoint itself.</summary>
    public string? McpTool { get; set; }
}
