namespace EdgeFence.Edge.Mcp;

/// <summary>What <see cref="McpBodyScanner"/> found in the part of a body read so far.</summary>
internal sealed class McpBodyScan
{
    public McpBodyScan(List<McpCall> calls, bool isBatch, bool complete, string? problem)
    {
        Calls = calls;
        IsBatch = isBatch;
        Complete = complete;
        Problem = problem;
    }

    /// <summary>The messages begun so far; the last may be incomplete unless <see cref="Complete"/>.</summary>
    public List<McpCall> Calls { get; }

    /// <summary>A JSON array of messages (JSON-RPC batch, MCP 2025-03-26) rather than one object.</summary>
    public bool IsBatch { get; }

    /// <summary>The whole body was read and parsed.</summary>
    public bool Complete { get; }

    /// <summary>Why the body is not a JSON-RPC message (malformed JSON, wrong shape), or null.</summary>
    public string? Problem { get; }
}
