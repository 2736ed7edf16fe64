namespace EdgeFence.Core.Model;

/// <summary>One API behind EdgeFence.</summary>
public sealed class Site
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>Lower-case URL segment: requests to <c>/{slug}/…</c> belong to this site.</summary>
    public required string Slug { get; init; }

    /// <summary>Absolute http(s) URL of the origin, optionally with a base path.</summary>
    public required string OriginUrl { get; init; }

    /// <summary>Host names (no port) that route to this site without a slug.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Key for the HMAC signature the edge adds to every forwarded request. The edge needs it in clear.</summary>
    public required byte[] HmacSecret { get; init; }

    /// <summary>SHA-256 of the origin key that authenticates <c>POST /v1/authorize</c> for this site (never the key).</summary>
    public byte[] OriginKeyHash { get; init; } = [];

    /// <summary>Private headers added to every request forwarded to the origin.</summary>
    public IReadOnlyList<NameValue> StaticHeaders { get; init; } = [];

    /// <summary>Private query parameters added to every request forwarded to the origin.</summary>
    public IReadOnlyList<NameValue> StaticQuery { get; init; } = [];

    /// <summary>When true, requests matching no resource are refused instead of passed through.</summary>
    public bool DenyByDefault { get; init; }

    /// <summary>
    /// Where a prepaid customer tops up: an absolute http(s) URL in which <c>{customer}</c> is replaced by the
    /// customer id (URL-escaped). Sent with a 402 for an empty balance; <c>null</c>: no link.
    /// </summary>
    public string? TopUpUrl { get; init; }

    /// <summary>x402 pay-per-call terms; <c>null</c> when the site takes no x402 payments.</summary>
    public X402Settings? X402 { get; init; }

    /// <summary>
    /// When true, an MCP <c>tools/list</c> answer is filtered at the edge to the tools the caller's plan includes
    /// (opt-in: hiding what a plan lacks is a product choice, and the filter reads the answer before sending it).
    /// </summary>
    public bool McpFilterTools { get; init; }
}
