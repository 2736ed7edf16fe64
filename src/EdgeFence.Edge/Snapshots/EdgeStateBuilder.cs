using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Core.Paths;
using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Snapshots;

/// <summary>Compiles a validated snapshot into an <see cref="EdgeState"/>: matchers, lookups, the token index.</summary>
internal static class EdgeStateBuilder
{
    /// <summary>Compiles <paramref name="snapshot"/>; <paramref name="stateHash"/> is the hash deltas to the next version chain to (the snapshot's own <see cref="Snapshot.StateHash"/> when null).</summary>
    public static EdgeState Build(Snapshot snapshot, byte[]? stateHash = null)
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

            long[]? ownPrices = null;
            if (plan.ResourcePrices.Count > 0)
            {
                ownPrices = new long[resourceCountBySite.GetValueOrDefault(plan.SiteId)];
                Array.Fill(ownPrices, -1);
                foreach (var (resourceId, price) in plan.ResourcePrices)
                {
                    ownPrices[resourceRuntimes[resourceId].Ordinal] = price;
                }
            }

            plans[plan.Id] = new PlanRuntime(plan, covers, ownPrices);
        }

        // The counter key costs a SHA-256 per token, most of the time spent compiling a large
        // snapshot, so the tokens are compiled on every core, each worker with its own hash object.
        // The index is filled afterwards on one thread.
        // A customer holds several tokens (rotations, one per environment), and the decoder makes a string for each
        // token that does not follow one of the same customer: the state keeps one string per customer instead.
        // 48 bytes a token that the state no longer holds; scripts/measure-snapshot.py (100 tokens a customer) has
        // the state about 45 MiB smaller at a million tokens.
        var customers = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var tokens = new TokenRuntime[snapshot.Tokens.Count];
        Parallel.For(
            0,
            tokens.Length,
            () => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
            (i, _, sha) =>
            {
                var record = snapshot.Tokens[i];
                tokens[i] = CompileToken(record, sites, plans, sha, customers.GetOrAdd(record.Customer, record.Customer));
                return sha;
            },
            sha => sha.Dispose());

        return new EdgeState(snapshot, stateHash ?? snapshot.StateHash, byHost, bySlug, byOriginKey, sites, plans, TokenTable.Create(tokens));
    }

    /// <summary>
    /// <paramref name="current"/> with a validated delta's tokens: only the delta's tokens are compiled, everything
    /// else is shared (see <see cref="TokenTable"/>).
    /// </summary>
    public static EdgeState ApplyDelta(EdgeState current, SnapshotDelta delta, byte[] stateHash)
    {
        var sites = current.SitesById;
        var plans = current.PlansById;
        var upserts = new TokenRuntime[delta.Tokens.Count];
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            for (var i = 0; i < upserts.Length; i++)
            {
                upserts[i] = CompileToken(delta.Tokens[i], sites, plans, sha, delta.Tokens[i].Customer);
            }
        }

        var removed = new Key128[delta.RemovedTokenHashes.Count];
        for (var i = 0; i < removed.Length; i++)
        {
            removed[i] = Key128.FromHash(delta.RemovedTokenHashes[i]);
        }

        return current.WithTokens(delta.Version, stateHash, current.Tokens.With(upserts, removed));
    }

    private static TokenRuntime CompileToken(TokenRecord record, IReadOnlyDictionary<string, SiteRuntime> sites, IReadOnlyDictionary<string, PlanRuntime> plans, IncrementalHash sha, string customer)
    {
        var plan = plans[record.PlanId];
        var wallet = plan.Prepaid ? Payments.WalletAccount.KeyOf(record.SiteId, record.Customer, plan.Plan.Currency) : default;
        return new TokenRuntime(record, sites[record.SiteId], plan, CounterKey(record, sha), wallet, customer);
    }

    /// <summary>
    /// Counters belong to the entitlement (site + token id), not to one token string: the key is the
    /// first half of SHA-256("edgefence-counter\n" + siteId + "\n" + tokenId). It is stored on disk,
    /// so it must never change.
    /// </summary>
    public static Key128 CounterKey(TokenRecord record, IncrementalHash sha256)
    {
        sha256.AppendData("edgefence-counter\n"u8);
        AppendUtf8(sha256, record.SiteId);
        sha256.AppendData("\n"u8);
        AppendUtf8(sha256, record.Id);
        Span<byte> hash = stackalloc byte[32];
        sha256.GetHashAndReset(hash);
        return Key128.FromHash(hash);
    }

    private static void AppendUtf8(IncrementalHash sha256, string value)
    {
        // Identifiers are validated to at most 256 characters; anything longer is still hashed right.
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> buffer = max <= 1024 ? stackalloc byte[1024] : new byte[max];
        sha256.AppendData(buffer[..Encoding.UTF8.GetBytes(value, buffer)]);
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
