using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Snapshots;

namespace EdgeFence.Edge.Mcp;

/// <summary>Prices the calls of an MCP request against its endpoint: free methods nothing, a tool its own resource, the rest the endpoint.</summary>
internal static class McpPricing
{
    public static CallSet Price(ResourceRuntime endpoint, RouteRuntime route, List<McpCall> calls)
    {
        ResourceRuntime[] priced = [];
        var count = 0;
        foreach (var call in calls)
        {
            if (call.Method is not { } method || McpMethods.IsFree(method))
            {
                // A response to a server request (elicitation, sampling) or a free method.
                continue;
            }

            var resource = method == McpMethods.ToolsCall && call.Name is { } tool && route.McpTools?.GetValueOrDefault(tool) is { } own ? own : endpoint;
            if (count == priced.Length)
            {
                Array.Resize(ref priced, Math.Max(1, count * 2));
            }

            priced[count++] = resource;
        }

        if (count != priced.Length)
        {
            Array.Resize(ref priced, count);
        }

        return new CallSet(count > 0 ? priced[0] : endpoint, priced);
    }

    /// <summary>The calls of a GET (the server's event stream) or DELETE (end of session): the transport's own, free.</summary>
    public static CallSet Transport(ResourceRuntime endpoint) => new(endpoint, []);
}
