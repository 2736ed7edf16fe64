using EdgeFence.Core.Model;

namespace EdgeFence.Edge.Snapshots;

/// <summary>One distinct path pattern of a site and the resources (by method) that share it.</summary>
internal sealed class RouteRuntime
{
    public RouteRuntime(ResourceRuntime[] resources, string allowHeader)
    {
        AllowHeader = allowHeader;
        var plain = new List<ResourceRuntime>(resources.Length);
        foreach (var resource in resources)
        {
            if (resource.Resource.McpTool is { } tool)
            {
                McpTools ??= new Dictionary<string, ResourceRuntime>(StringComparer.Ordinal);
                McpTools[tool] = resource;
                continue;
            }

            if (resource.Resource.Kind == ResourceKind.Mcp)
            {
                McpEndpoint = resource;
            }
            else if (resource.Resource.Kind == ResourceKind.OpenAi)
            {
                OpenAiEndpoint = resource;
            }

            plain.Add(resource);
        }

        Resources = [.. plain];
    }

    /// <summary>The MCP endpoint served at this path, or null for plain HTTP.</summary>
    public ResourceRuntime? McpEndpoint { get; }

    /// <summary>The OpenAI-compatible endpoint served at this path (charged per token from the response's usage), or null.</summary>
    public ResourceRuntime? OpenAiEndpoint { get; }

    /// <summary>The endpoint's tools that have a resource (price, cost, plan coverage) of their own, by name.</summary>
    public Dictionary<string, ResourceRuntime>? McpTools { get; }

    /// <summary>The resources chosen by method (MCP tools are chosen by name: <see cref="McpTools"/>).</summary>
    public ResourceRuntime[] Resources { get; }

    /// <summary>The <c>Allow</c> header for a 405 on this path.</summary>
    public string AllowHeader { get; }

    public ResourceRuntime? ForMethod(string method)
    {
        foreach (var resource in Resources)
        {
            if (resource.AcceptsMethod(method))
            {
                return resource;
            }
        }

        return null;
    }
}
