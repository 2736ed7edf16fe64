namespace EdgeFence.ControlPlane.Sites;

/// <summary>The body of <c>PATCH /v1/sites/{id}</c>: fields given replace the stored ones, fields left out stay; <c>topUpUrl</c> or <c>x402</c> sent as null removes it.</summary>
public sealed class UpdateSiteRequest
{
    public string? Name { get; set; }
    public string? Slug { get; set; }
    public string? OriginUrl { get; set; }
    public List<string?>? Hosts { get; set; }
    public Dictionary<string, string?>? StaticHeaders { get; set; }
    public Dictionary<string, string?>? StaticQuery { get; set; }
    public bool? DenyByDefault { get; set; }

    /// <summary>Filter MCP tools/list answers to the caller's plan (default false).</summary>
    public bool? McpFilterTools { get; set; }

    /// <summary>Where a prepaid customer tops up: an absolute http(s) URL; <c>{customer}</c> is replaced by the customer id. Null: no link.</summary>
    public string? TopUpUrl { get; set; }

    /// <summary>x402 pay-per-call terms; null: the site takes no x402 payments.</summary>
    public X402Body? X402 { get; set; }
}
