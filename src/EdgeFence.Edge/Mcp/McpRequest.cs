namespace EdgeFence.Edge.Mcp;

/// <summary>What an MCP POST asks for: its calls, or why it cannot be priced (then <see cref="Status"/> is not 0).</summary>
internal sealed class McpRequest
{
    private McpRequest(List<McpCall> calls, bool isBatch, int status, int code, string? problem)
    {
        Calls = calls;
        IsBatch = isBatch;
        Status = status;
        Code = code;
        Problem = problem;
    }

    public List<McpCall> Calls { get; }
    public bool IsBatch { get; }

    /// <summary>The HTTP status refusing the request, 0 when it can be decided.</summary>
    public int Status { get; }

    /// <summary>The JSON-RPC error code of the refusal.</summary>
    public int Code { get; }

    public string? Problem { get; }

    public static McpRequest Accepted(List<McpCall> calls, bool isBatch) => new(calls, isBatch, 0, 0, null);

    public static McpRequest Refused(List<McpCall> calls, bool isBatch, int status, int code, string problem) => new(calls, isBatch, status, code, problem);
}
