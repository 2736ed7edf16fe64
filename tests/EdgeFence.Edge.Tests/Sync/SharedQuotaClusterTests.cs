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

    [Fact]
    public async Task One_master_killed_under_load_leaves_the_other_masters_tokens_exact_and_its_own_within_the_bound()
    {
        const long MaxOverAdmission = 30;
        await using var cluster = await RedisCluster.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var edges = await StartEdgesAsync(SharedSnapshot(origin.Url, Quota, Tokens), cluster.ConnectionString, 3, $"--EdgeFence:MaxOverAdmission={MaxOverAdmission}");
        var statuses = new Dictionary<string, IReadOnlyDictionary<HttpStatusCode, int>>();
        var healthy = new List<string>();
        var dead = new List<string>();
        int deadPort;
        try
        {
            // :: Two calls per token at every edge. The first round gives each edge a lease of each token; the second,
            //    after every lease is granted, makes each edge push and so learn the units no edge holds (an edge learns
            //    them only from its pushes). With that view current the documented bound is exact: the quota plus
            //    MaxOverAdmission. Under load a view is at most SyncIntervalMs old; the bound then adds what other
            //    edges leased in that interval, which a test cannot pin down.
            for (var round = 0; round < 2; round++)
            {
                foreach (var edge in edges)
                {
                    for (var i = 0; i < Tokens; i++)
                    {
                        using var response = await edge.GetAsync("/api/v1/items", SharedTokenAt(i).Token);
                        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    }
                }

                await Task.Delay(300);
            }

            // :: The master of the first token dies; the tokens on the other two masters are the control group.
            var masters = new Dictionary<string, string>();
            for (var i = 0; i < Tokens; i++)
            {
                masters[SharedTokenAt(i).Id] = Assert.Single(await LedgerAsync(cluster.ConnectionString, SharedTokenAt(i).Id)).Server;
            }

            var deadServer = masters[SharedTokenAt(0).Id];
            deadPort = int.Parse(deadServer[(deadServer.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            healthy.AddRange(masters.Where(m => m.Value != deadServer).Select(m => m.Key));
            dead.AddRange(masters.Where(m => m.Value == deadServer).Select(m => m.Key));
            Assert.NotEmpty(healthy);

            await cluster.KillAsync(deadPort);

            var runs = Enumerable.Range(0, Tokens).Select(SharedTokenAt)
                .Select(async token => (token.Id, Statuses: await DriveUntilRefusedAsync(edges, workersPerEdge: 2, cap: 5000, token.Token)))
                .ToArray();
            foreach (var (id, tokenStatuses) in await Task.WhenAll(runs))
            {
                statuses[id] = tokenStatuses;
            }

            // :: Each edge reports a partial outage: the dead master's slots, not every slot.
            foreach (var edge in edges)
            {
                Assert.Contains("\"redis\":\"partial\"", await edge.Admin.GetStringAsync("/readyz"), StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.StopAsync();
            }
        }

        // :: The control group: exactly the quota admitted, and the ledger agrees (no edge fell back to local counts for them).
        foreach (var id in healthy)
        {
            var admitted = statuses[id].GetValueOrDefault(HttpStatusCode.OK) + (2 * edges.Length);
            Assert.True(Quota == admitted, $"{id} (healthy master): admitted {admitted}, quota {Quota}");
            Assert.Equal([HttpStatusCode.OK, (HttpStatusCode)429], statuses[id].Keys.Order());
            var ledger = await LedgerAsync(cluster.ConnectionString, id, skipServer: $"127.0.0.1:{deadPort}");
            Assert.True(Quota == ledger.Sum(h => h.Used), $"{id}: ledger holds {ledger.Sum(h => h.Used)}, quota {Quota}");
        }

        // :: The dead master's tokens: decided locally, never beyond the quota plus MaxOverAdmission, never a 5xx.
        foreach (var id in dead)
        {
            var admitted = statuses[id].GetValueOrDefault(HttpStatusCode.OK) + (2 * edges.Length);
            Assert.True(admitted <= Quota + MaxOverAdmission, $"{id} (dead master): admitted {admitted}, bound {Quota + MaxOverAdmission}");
            Assert.All(statuses[id].Keys, status => Assert.True(status is HttpStatusCode.OK or (HttpStatusCode)429, $"{id}: {status}"));
        }

        foreach (var edge in edges)
        {
            await edge.DisposeAsync();
        }
    }
}
