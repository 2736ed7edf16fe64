namespace EdgeFence.Edge.Mcp;

/// <summary>The MCP methods the edge knows by name: the free ones, and the call it prices per tool.</summary>
internal static class McpMethods
{
    public const string ToolsCall = "tools/call";
    public const string ToolsList = "tools/list";

    /// <summary>
    /// Discovery, liveness and notifications cost nothing (a client must be able to connect and see what it could
    /// buy even with its quota used up); everything else is a billable call.
    /// </summary>
    public static bool IsFree(string method)
        => method is "initialize" or "ping" or ToolsList or "resources/list" or "resources/templates/list" or "prompts/list" or "server/discover"
            || method.StartsWith("notifications/", StringComparison.Ordinal);

    /// <summary>Whether the 2026-07-28 transport sends the method's <c>params.name</c> in <c>Mcp-Name</c>.</summary>
    public static bool HasNameHeader(string method) => method is ToolsCall or "resources/read" or "prompts/get";
}
