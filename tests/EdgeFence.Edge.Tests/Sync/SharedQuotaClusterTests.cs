using System.Net;
using EdgeFence.Edge.Tests.Infrastructure;
using static EdgeFence.Edge.Tests.Sync.SharedQuotaTests;

namespace EdgeFence.Edge.Tests.Sync;

/// <summary>The shared-quota accuracy scenario on a real 3-master Redis Cluster instead of one redis-server.</summary>
public sealed class SharedQuotaClusterTests
{
    // Their hash tags {demo:t-shared}, {demo:t-shared-1} … {demo:t-shared-4} fall in slots owned by all three masters.
    private const int Tokens = 5;
    private const long Quota = 300;

    [Fact]
    public async Task Three_edges_on_a_three_master_redis_cluster_admit_exactly_the_hard_quota_of_each_token()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var origin = await TestOrigin.StartAsync();

        // The edges get every master; StackExchange.Redis discovers the cluster and routes each key to its slot's owner.
        var edges = await StartEdgesAsync(SharedSnapshot(origin.Url, Quota, Tokens), cluster.ConnectionString, 3);
        var statuses = new Dictionary<string, IReadOnlyDictionary<HttpStatusCode, int>>();
        try
        {
            var runs = Enumerable.Range(0, Tokens).Select(SharedTokenAt)
                .Select(async token => (token.Id, Statuses: await DriveUntilRefusedAsync(edges, workersPerEdge: 3, cap: 5000, token.Token)))
                .ToArray();
            foreach (var (id, tokenStatuses) in await Task.WhenAll(runs))
            {
                statuses[id] = tokenStatuses;
            }
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.StopAsync();
            }
        }

        var servers = new HashSet<string>();
        foreach (var (id, tokenStatuses) in statuses)
        {
            Assert.True(Quota == tokenStatuses.GetValueOrDefault(HttpStatusCode.OK), $"{id}: admitted {tokenStatuses.GetValueOrDefault(HttpStatusCode.OK)}, quota {Quota}");
            Assert.Equal([HttpStatusCode.OK, (HttpStatusCode)429], tokenStatuses.Keys.Order());

            var ledger = await LedgerAsync(cluster.ConnectionString, id);
            Assert.True(Quota == ledger.Sum(h => h.Used), $"{id}: ledger holds {ledger.Sum(h => h.Used)} used in {ledger.Count} hash(es), quota {Quota}");
            servers.UnionWith(ledger.Select(h => h.Server));
        }

        // The entitlements' hashes really live on different masters: the cluster routing was exercised.
        Assert.Equal(cluster.Ports.Select(p => $"127.0.0.1:{p}").Order(), servers.Order());

        foreach (var edge in edges)
        {
            await edge.DisposeAsync();
        }
    }
}
