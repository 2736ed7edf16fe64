namespace EdgeFence.ControlPlane.Resources;

/// <summary>A resource as the API shows it.</summary>
public sealed class ResourceResponse
{
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    public required string Pattern { get; init; }
    public required IReadOnlyList<string> Methods { get; init; }
    public required long Cost { get; init; }
    public required string? PrivatePath { get; init; }

    /// <summary>Price of one call in currency units.</summary>
    public required decimal Price { get; init; }

    public required string Currency { get; init; }

    /// <summary><c>token</c>, <c>x402</c> or <c>token-or-x402</c>.</summary>
    public required string Payment { get; init; }

    /// <summary><c>http</c>, <c>mcp</c> or <c>openai</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The MCP tool this resource prices; null for plain HTTP and for the MCP endpoint.</summary>
    public required string? McpTool { get; init; }

    /// <summary>On an <c>openai</c> resource: each model's price per 1K tokens; empty otherwise.</summary>
    public IReadOnlyList<OpenAiModelPriceResponse> OpenAiPrices { get; init; } = [];

    /// <summary>On an <c>openai</c> resource: output tokens reserved when a request sets none (the edge's default when null).</summary>
    public int? OpenAiDefaultMaxTokens { get; init; }

    /// <summary>On an <c>openai</c> resource: the end-user header; null is <c>X-EdgeFence-User</c>.</summary>
    public string? OpenAiUserHeader { get; init; }

    /// <summary>On an <c>openai</c> resource: whether an empty balance is answered as an assistant message.</summary>
    public bool OpenAiBalanceAsMessage { get; init; }

    /// <summary>On an <c>openai</c> resource trusted to meter itself: the origin's usage header or trailer; null otherwise.</summary>
    public string? OpenAiOriginUsageHeader { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
