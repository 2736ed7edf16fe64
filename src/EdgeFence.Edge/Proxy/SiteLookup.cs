using EdgeFence.Edge.Snapshots;

namespace EdgeFence.Edge.Proxy;

/// <summary>
/// Finds a request's site: by its Host (port and a trailing dot ignored), else by the first path segment, which is
/// then stripped from the path the site sees. Spans in, so the Kestrel path and the fast path (which reads the
/// request's bytes) find the same site for the same request.
/// </summary>
internal static class SiteLookup
{
    /// <summary>
    /// <paramref name="host"/> is the one Host header's value (empty when absent or repeated). On success,
    /// <paramref name="sitePathStart"/> is where the site's path starts in <paramref name="path"/>: 0 for a site found
    /// by host, the slash after the slug for one found by slug, or -1 when nothing follows the slug (the site path is "/").
    /// </summary>
    public static bool TryFind(EdgeState state, ReadOnlySpan<char> host, ReadOnlySpan<char> path, out SiteRuntime site, out int sitePathStart)
    {
        if (!host.IsEmpty && state.TryGetSiteByHost(HostWithoutPort(host), out site))
        {
            sitePathStart = 0;
            return true;
        }

        var rest = path.Length > 0 ? path[1..] : path;
        var slash = rest.IndexOf('/');
        var slug = slash < 0 ? rest : rest[..slash];
        if (!slug.IsEmpty && state.TryGetSiteBySlug(slug, out site))
        {
            sitePathStart = slash < 0 ? -1 : slash + 1;
            return true;
        }

        site = null!;
        sitePathStart = 0;
        return false;
    }

    /// <summary>The site path as a span of <paramref name="path"/>, per <see cref="TryFind"/>'s start.</summary>
    public static ReadOnlySpan<char> SitePath(ReadOnlySpan<char> path, int sitePathStart)
        => sitePathStart < 0 ? "/" : path[sitePathStart..];

    private static ReadOnlySpan<char> HostWithoutPort(ReadOnlySpan<char> span)
    {
        if (span.StartsWith('['))
        {
            var close = span.IndexOf(']');
            return close < 0 ? span : span[..(close + 1)];
        }

        var colon = span.LastIndexOf(':');
        if (colon >= 0)
        {
            span = span[..colon];
        }

        return span.EndsWith('.') ? span[..^1] : span;
    }
}
