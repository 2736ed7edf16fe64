namespace EdgeFence.Core.Model;

/// <summary>What a resource's pattern serves, which decides what one billable call is.</summary>
public enum ResourceKind : byte
{
    /// <summary>Plain HTTP: every request matching the pattern (and methods) is one call.</summary>
    Http = 0,

    /// <summary>
    /// An MCP server on the Streamable HTTP transport: every request is <c>POST</c> to one path, so a call is
    /// one JSON-RPC request inside it, priced by its method and tool (<see cref="Resource.McpTool"/>).
    /// </summary>
    Mcp = 1,

    /// <summary>
    /// An OpenAI-compatible model API (chat completions): a call is one request, charged by the tokens it used at the
    /// per-model prices of <see cref="Resource.OpenAiPrices"/>, reserved before forwarding and settled from the answer's
    /// <c>usage</c>.
    /// </summary>
    OpenAi = 2,
}
