namespace EdgeFence.Edge.Snapshots;

/// <summary>One distinct path pattern of a site and the resources (by method) that share it.</summary>
internal sealed class RouteRuntime
{
    public RouteRuntime(ResourceRuntime[] resources, string allowHeader)
    {
        Resources = resources;
        AllowHeader = allowHeader;
    }

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
