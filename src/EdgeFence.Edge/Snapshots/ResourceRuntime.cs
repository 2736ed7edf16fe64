using EdgeFence.Core.Model;

namespace EdgeFence.Edge.Snapshots;

/// <summary>A resource compiled for the request path.</summary>
internal sealed class ResourceRuntime
{
    public ResourceRuntime(Resource resource, int ordinal)
    {
        Resource = resource;
        Ordinal = ordinal;
        Methods = [.. resource.Methods];
        if (resource.PrivatePath is { } privatePath)
        {
            PrivatePrefix = privatePath.EndsWith("/*", StringComparison.Ordinal) ? privatePath[..^2] : privatePath;
        }
    }

    public Resource Resource { get; }

    /// <summary>Position among its site's resources, for the plans' coverage tables.</summary>
    public int Ordinal { get; }

    public string[] Methods { get; }

    /// <summary>Origin path the public path maps to (without the catch-all), or null to forward the path unchanged.</summary>
    public string? PrivatePrefix { get; }

    public long Cost => Resource.Cost;

    /// <summary>Whether a request method is one this resource enforces. HEAD is enforced as GET.</summary>
    public bool AcceptsMethod(string method)
    {
        var methods = Methods;
        if (methods.Length == 0)
        {
            return true;
        }

        foreach (var m in methods)
        {
            if (string.Equals(m, method, StringComparison.Ordinal)
                || (m == "GET" && string.Equals(method, "HEAD", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
