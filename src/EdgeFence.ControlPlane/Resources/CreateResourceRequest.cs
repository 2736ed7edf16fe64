namespace EdgeFence.ControlPlane.Resources;

/// <summary>The body of <c>POST /v1/sites/{id}/resources</c>.</summary>
public sealed class CreateResourceRequest
{
    /// <summary>Literal segments, <c>*</c> for one segment, a trailing <c>/*</c> for everything below.</summary>
    public string? Pattern { get; set; }

    /// <summary>HTTP methods; empty or left out means all.</summary>
    public List<string?>? Methods { get; set; }

    /// <summary>Units one request costs; default 1.</summary>
    public long? Cost { get; set; }

    /// <summary>Path at the origin, same shape as the pattern; left out forwards the public path.</summary>
    public string? PrivatePath { get; set; }

    /// <summary>Price of one call in currency units (<c>0.0025</c>), at most 6 decimals; default 0 (free).</summary>
    public decimal? Price { get; set; }

    /// <summary>ISO 4217 code (or USDC) of <see cref="Price"/>; default <c>USD</c>.</summary>
    public string? Currency { get; set; }

    /// <summary><c>token</c> (default), <c>x402</c> (pay per call, no token) or <c>token-or-x402</c>.</summary>
    public string? Payment { get; set; }

    /// <summary><c>http</c> (default), <c>mcp</c>: an MCP endpoint, priced per JSON-RPC call (see the README's "Paid MCP tools"), or <c>openai</c>: an OpenAI-compatible model API charged by tokens.</summary>
    public string? Kind { get; set; }

    /// <summary>On an <c>mcp</c> resource: the tool whose calls it prices (same pattern as its endpoint); left out for the endpoint.</summary>
    public string? McpTool { get; set; }

    /// <summary>On an <c>openai</c> resource: the price of each model per 1K input and output tokens (see the README's "OpenAI-compatible endpoints").</summary>
    public List<OpenAiModelPriceRequest?>? OpenAiPrices { get; set; }

    /// <summary>On an <c>openai</c> resource: output tokens reserved when a request sets no <c>max_tokens</c>; default 4096.</summary>
    public long? OpenAiDefaultMaxTokens { get; set; }

    /// <summary>On an <c>openai</c> resource: the header naming the end user; default <c>X-EdgeFence-User</c>.</summary>
    public string? OpenAiUserHeader { get; set; }

    /// <summary>On an <c>openai</c> resource: answer an empty balance as an assistant message with the top-up link; default false.</summary>
    public bool? OpenAiBalanceAsMessage { get; set; }

    /// <summary>
    /// On an <c>openai</c> resource whose origin is trusted to meter itself: the response header or trailer carrying the
    /// usage (<c>prompt_tokens=17, completion_tokens=5</c>) the edge settles from; null: the body's usage is read.
    /// </summary>
    public string? OpenAiOriginUsageHeader { get; set; }
}
