namespace EdgeFence.Edge.OpenAi;

/// <summary>The bounds of what the edge reads of an OpenAI-compatible request and response, each against a named abuse.</summary>
internal static class OpenAiLimits
{
    /// <summary>
    /// The most of a request body the edge holds (512 KiB). The whole body must fit: the .NET SDK writes
    /// <c>model</c> and <c>stream</c> after <c>messages</c> (shared/MCP-OPENAI-NOTES.md), so a first part does not say
    /// what the call costs. Threat: a client making the edge buffer uploads. Below Kestrel's 1 MiB
    /// MaxRequestBufferSize, so the peeked bytes stay in the connection's pipe and are forwarded from there unchanged.
    /// </summary>
    public const int MaxBodyBytes = 512 * 1024;

    /// <summary>JSON nesting the readers follow. Threat: deep nesting to exhaust the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// The most of a response the usage scanner keeps at once (one unfinished SSE line, or one unfinished JSON
    /// token). Threat: an origin (or a long completion) making the edge buffer; past it the scanner gives up, the
    /// response still streams, and the call is charged its reservation.
    /// </summary>
    public const int MaxPendingBytes = 1024 * 1024;
}
