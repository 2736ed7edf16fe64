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
}
