namespace EdgeFence.Edge.Mcp;

/// <summary>The bounds of what the edge reads of an MCP request, each against a named abuse.</summary>
internal static class McpLimits
{
    /// <summary>
    /// The most of a body the edge holds to find its calls (64 KiB). Threat: a client making the edge buffer
    /// uploads; the body past it streams to the origin unread. Below Kestrel's 1 MiB MaxRequestBufferSize, so the
    /// peeked bytes stay in the connection's pipe and are forwarded from there. Peers read more (Envoy AI Gateway
    /// 4 MiB, Kong ai-mcp-proxy 1 MiB, both whole bodies): the method and tool name come first in every client
    /// body captured (shared/MCP-OPENAI-NOTES.md), so the first part is enough.
    /// </summary>
    public const int MaxPeekBytes = 64 * 1024;

    /// <summary>JSON nesting the reader follows. Threat: deep nesting to exhaust the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Messages in one batch. Threat: one request fanning out into thousands of decisions.</summary>
    public const int MaxBatchCalls = 100;

    /// <summary>Longest method or tool name copied out of a body (the MCP tool name rule allows 128 characters).</summary>
    public const int MaxNameBytes = 512;

    /// <summary>
    /// The largest tools/list answer the edge holds to filter it to the caller's plan (1 MiB, Kong ai-mcp-proxy's
    /// cap). Threat: an origin (or whoever controls its answers) making the edge hold large bodies for many
    /// concurrent calls; a bigger answer is refused with 502 rather than sent unfiltered.
    /// </summary>
    public const int MaxToolsListAnswerBytes = 1024 * 1024;
}
