namespace EdgeFence.Edge.Mcp;

/// <summary>
/// JSON-RPC error codes of the edge's refusals: the specification's own for malformed messages, and codes in the
/// implementation-defined server range (-32000 to -32099) for decisions, chosen to echo the HTTP status.
/// </summary>
internal static class McpErrorCodes
{
    public const int ParseError = -32700;

    /// <summary>JSON-RPC's internal error: the edge could not pass the origin's answer on (too large to filter).</summary>
    public const int InternalError = -32603;
    public const int InvalidRequest = -32600;

    /// <summary>MCP 2026-07-28: the <c>Mcp-Method</c>/<c>Mcp-Name</c> headers disagree with the body.</summary>
    public const int HeaderMismatch = -32020;

    public const int Unauthorized = -32001;
    public const int PaymentRequired = -32002;
    public const int Forbidden = -32003;
    public const int TooManyRequests = -32029;
    public const int Refused = -32000;

    public static int ForStatus(int status) => status switch
    {
        401 => Unauthorized,
        402 => PaymentRequired,
        403 => Forbidden,
        429 => TooManyRequests,
        400 or 413 => InvalidRequest,
        _ => Refused,
    };
}
