using System.Security.Cryptography;
using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Core.Paths;
using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Snapshots;

/// <summary>Compiles a validated snapshot into an <see cref="EdgeState"/>: matchers, lookups, the token index.</summary>
internal static class EdgeStateBuilder
{
    public static EdgeState Build(Snapshot snapshot)
    {
        var resourcesBySite = new Dictionary<string, List<Resource>>(StringComparer.Ordinal);
        foreach (var resource in snapshot.Resources)
        {
            if (!resourcesBySite.TryGetValue(resource.SiteId, out var list))
            {
                resourcesBySite[resource.SiteId] = list = [];
            }

            list.Add(resource);
        }

        var sites = new Dictionary<string, SiteRuntime>(StringComparer.Ordinal);
        var resourceRuntimes = new Dictionary<string, ResourceRuntime>(StringComparer.Ordinal);
        var resourceCountBySite = new Dictionary<string, int>(StringComparer.Ordinal);
        var byHost = new Dictionary<string, SiteRuntime>(StringComparer.OrdinalIgnoreCase);
        var bySlug = new Dictionary<string, SiteRuntime>(StringComparer.OrdinalIgnoreCase);
        var byOriginKey = new Dictionary<Key128, SiteRuntime>();
        foreach (var site in snapshot.Sites)
        {
            var resources = resourcesBySite.TryGetValue(site.Id, out var l) ? l : [];
            var routeIds = new Dictionary<string, int>(StringComparer.Ordinal);
            var routeResources = new List<List<ResourceRuntime>>();
            var entries = new List<(PathPattern Pattern, int EntryId)>();
            for (var i = 0; i < resources.Count; i++)
            {
                var runtime = new ResourceRuntime(resources[i], i);
                resourceRuntimes[resources[i].Id] = runtime;
                if (!PathPattern.TryParse(resources[i].Pattern, out var pattern, out var error))
                {
                    throw new InvalidDataException($"resource '{resources[i].Id}': {error}");
                }

                if (!routeIds.TryGetValue(pattern.Canonical, out var routeId))
                {
                    routeIds[pattern.Canonical] = routeId = routeResources.Count;
                    routeResources.Add([]);
                    entries.Add((pattern, routeId));
                }

                routeResources[routeId].Add(runtime);
            }

            var routes = new RouteRuntime[routeResources.Count];
            for (var r = 0; r < routes.Length; r++)
            {
                routes[r] = new RouteRuntime([.. routeResources[r]], AllowHeader(routeResources[r]));
            }

            var siteRuntime = new SiteRuntime(site, ResourceMatcher.Build(entries), routes);
            sites[site.Id] = siteRuntime;
            resourceCountBySite[site.Id] = resources.Count;
            bySlug[site.Slug] = siteRuntime;
            foreach (var host in site.Hosts)
            {
                byHost[host.TrimEnd('.')] = siteRuntime;
            }

            if (site.OriginKeyHash.Length == 32)
            {
                byOriginKey[Key128.FromHash(site.OriginKeyHash)] = siteRuntime;
            }
        }

        var plans = new Dictionary<string, PlanRuntime>(StringComparer.Ordinal);
        foreach (var plan in snapshot.Plans)
        {
            bool[]? covers = null;
            if (plan.ResourceIds.Count > 0)
            {
                covers = new bool[resourceCountBySite.GetValueOrDefault(plan.SiteId)];
                foreach (var id in plan.ResourceIds)
                {
                    covers[resourceRuntimes[id].Ordinal] = true;
                }
            }

            plans[plan.Id] = new PlanRuntime(plan, covers);
        }

        var tokens = new TokenRuntime[snapshot.Tokens.Count];
        var index = new TokenIndex(tokens.Length);
        try
        {
            for (var i = 0; i < tokens.Length; i++)
            {
                var record = snapshot.Tokens[i];
                tokens[i] = new TokenRuntime(record, sites[record.SiteId], plans[record.PlanId], CounterKey(record));
                index.Add(Key128.FromHash(record.Hash), i);
            }
        }
        catch
        {
            index.Dispose();
            throw;
        }

        return new EdgeState(snapshot, byHost, bySlug, byOriginKey, tokens, index);
    }

    /// <summary>Counters belong to the entitlement (site + token id), not to one token string.</summary>
    public static Key128 CounterKey(TokenRecord record)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("edgefence-counter\n" + record.SiteId + "\n" + record.Id), hash);
        return Key128.FromHash(hash);
    }

    private static string AllowHeader(List<ResourceRuntime> resources)
    {
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            if (resource.Methods.Length == 0)
            {
                return "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
            }

            foreach (var method in resource.Methods)
            {
                methods.Add(method);
                if (method == "GET")
                {
                    methods.Add("HEAD");
                }
            }
        }

        return string.Join(", ", methods);
    }
}
