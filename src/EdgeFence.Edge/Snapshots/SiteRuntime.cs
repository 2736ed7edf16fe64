using EdgeFence.Core.Model;
using EdgeFence.Core.Paths;

namespace EdgeFence.Edge.Snapshots;

/// <summary>A site compiled for the request path.</summary>
internal sealed class SiteRuntime
{
    public SiteRuntime(Site site, ResourceMatcher matcher, RouteRuntime[] routes)
    {
        Site = site;
        Matcher = matcher;
        Routes = routes;
        OriginPrefix = site.OriginUrl.TrimEnd('/');
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var q in site.StaticQuery)
        {
            names.Add(q.Name);
        }

        StaticQueryNames = names;
        foreach (var route in routes)
        {
            HasMcp |= route.McpEndpoint is not null;
            HasOpenAi |= route.OpenAiEndpoint is not null;
        }
    }

    /// <summary>Whether any path of the site is an MCP endpoint (then requests are priced per JSON-RPC call there).</summary>
    public bool HasMcp { get; }

    /// <summary>Whether any path of the site is an OpenAI-compatible endpoint (then requests are charged per token there).</summary>
    public bool HasOpenAi { get; }

    public Site Site { get; }
    public ResourceMatcher Matcher { get; }

    /// <summary>Indexed by the matcher's entry id.</summary>
    public RouteRuntime[] Routes { get; }

    /// <summary>The origin URL without a trailing slash; forwarded paths are appended to it.</summary>
    public string OriginPrefix { get; }

    public HashSet<string> StaticQueryNames { get; }

    public string Id => Site.Id;
}
