namespace EdgeFence.ControlPlane.Sites;

/// <summary>
/// A site as the API shows it. Static header and query values are private to the origin (API keys, often), so
/// only their names are shown, like the HMAC secret and origin key, which are shown once at creation only.
/// </summary>
public class SiteResponse
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Slug { get; init; }
    public required string OriginUrl { get; init; }
    public required IReadOnlyList<string> Hosts { get; init; }
    public required IReadOnlyList<string> StaticHeaders { get; init; }
    public required IReadOnlyList<string> StaticQuery { get; init; }
    public required bool DenyByDefault { get; init; }

    /// <summary>MCP tools/list answers are filtered to the caller's plan.</summary>
    public bool McpFilterTools { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The top-up link template, or null.</summary>
    public required string? TopUpUrl { get; init; }

    /// <summary>The x402 terms, or null.</summary>
    public required X402Body? X402 { get; init; }
}
