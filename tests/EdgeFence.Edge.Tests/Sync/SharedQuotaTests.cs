using System.Collections.Concurrent;
using System.Net;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Tests.Infrastructure;
using StackExchange.Redis;

namespace EdgeFence.Edge.Tests.Sync;

/// <summary>Several real edges sharing one real redis-server: the global quota holds.</summary>
public sealed class SharedQuotaTests
{
    internal const string SharedToken = "tok-shared-0001";
    private const string SharedRateToken = "tok-shared-rate-0001";

    /// <summary>The <paramref name="index"/>-th token of <see cref="SharedSnapshot"/>: its id and the token itself.</summary>
    internal static (string Id, string Token) SharedTokenAt(int index)
        => index == 0 ? ("t-shared", SharedToken) : ($"t-shared-{index}", $"tok-shared-{index + 1:D4}");

    /// <summary>The standard test snapshot plus a hard-quota plan and <paramref name="tokens"/> tokens on it.</summary>
    internal static Snapshot SharedSnapshot(string originUrl, long quota, int tokens = 1)
    {
        var baseline = TestSnapshot.Create(originUrl, 1, list =>
        {
            list.AddRange(Enumerable.Range(0, tokens).Select(i => new TokenRecord
            {
                Id = SharedTokenAt(i).Id, SiteId = "demo", PlanId = "plan-shared", Customer = "shared-co", Hash = TokenHasher.Hash(SharedTokenAt(i).Token),
            }));
            list.Add(new TokenRecord { Id = "t-shared-rate", SiteId = "demo", PlanId = "plan-shared-rate", Customer = "rate-co", Hash = TokenHasher.Hash(SharedRateToken) });
        });
        return new Snapshot
        {
            Version = 1,
            Sites = baseline.Sites,
            Plans =
            [
                .. baseline.Plans,
                new Plan { Id = "plan-shared", SiteId = "demo", Name = "Shared", QuotaUnits = quota },
                new Plan { Id = "plan-shared-rate", SiteId = "demo", Name = "Shared rate", RateLimitRequests = 5, RateLimitWindowSeconds = 3600 },
            ],
            Resources = baseline.Resources,
            Tokens = baseline.Tokens,
        };
    }

    internal static async Task<EdgeHost[]> StartEdgesAsync(Snapshot snapshot, string redis, int count, params string[] extra)
    {
        var edges = new EdgeHost[count];
        for (var i = 0; i < count; i++)
        {
            // A generous lease wait: on a loaded 2-core CI machine a 100 ms wait can expire and turn a
            // healthy Redis into an "outage", which is not what these tests are about.
            edges[i] = await EdgeHost.StartAsync(snapshot, [$"--EdgeFence:Redis={redis}", $"--EdgeFence:NodeId=edge-{i}", $"--EdgeFence:EdgeCount={count}", "--EdgeFence:SyncIntervalMs=20", "--EdgeFence:LeaseTimeoutMs=2000", .. extra]);
        }

        return edges;
    }

    /// <summary>Drives every edge with several workers until each worker has seen 20 refusals in a row (or the cap).</summary>
    internal static async Task<ConcurrentDictionary<HttpStatusCode, int>> DriveUntilRefusedAsync(EdgeHost[] edges, int workersPerEdge, int cap, string token = SharedToken)
    {
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var sent = 0;
        await Task.WhenAll(edges.SelectMany(edge => Enumerable.Range(0, workersPerEdge).Select(async _ =>
        {
            var refusedInARow = 0;
            while (refusedInARow < 20 && Interlocked.Increment(ref sent) <= cap)
            {
                using var response = await edge.GetAsync("/api/v1/items", token);
                statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                refusedInARow = response.StatusCode == (HttpStatusCode)429 ? refusedInARow + 1 : 0;
            }
        })));
        return statuses;
    }

    /// <summary>
    /// Every ledger hash of one entitlement: its key, the primary it was found on (each primary is
    /// scanned, so this also works on a cluster) and the sum of its <c>u:*</c> fields, read through the
    /// (cluster-aware) client.
    /// </summary>
    internal static async Task<List<(string Key, string Server, long Used)>> LedgerAsync(string connectionString, string tokenId, string? skipServer = null)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var hashes = new List<(string Key, string Server, long Used)>();
        foreach (var server in connection.GetServers().Where(s => !s.IsReplica && s.EndPoint.ToString() != skipServer))
        {
            await foreach (var key in server.KeysAsync(pattern: $"ef:{{demo:{tokenId}}}:q:*"))
            {
                long used = 0;
                foreach (var field in await connection.GetDatabase().HashGetAllAsync(key))
                {
                    // Used is each edge's admitted count minus what it gave back (u: minus r:).
                    var name = field.Name.ToString();
                    if (name.StartsWith("u:", StringComparison.Ordinal))
                    {
                        used += (long)field.Value;
                    }
                    else if (name.StartsWith("r:", StringComparison.Ordinal))
                    {
                        used -= (long)field.Value;
                    }
                }

                hashes.Add((key.ToString(), server.EndPoint.ToString()!, used));
            }
        }

        return hashes;
    }

    private static async Task<long> LedgerUsedAsync(RedisServer redis) => (await LedgerAsync(redis.ConnectionString, "t-shared")).Sum(h => h.Used);

    [Fact]
    public async Task Three_edges_driven_concurrently_admit_exactly_the_hard_quota()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        const long Quota = 300;
        var edges = await StartEdgesAsync(SharedSnapshot(origin.Url, Quota), redis.ConnectionString, 3);
        try
        {
            var statuses = await DriveUntilRefusedAsync(edges, workersPerEdge: 6, cap: 5000);

            Assert.Equal(Quota, statuses.GetValueOrDefault(HttpStatusCode.OK));
            Assert.Equal([HttpStatusCode.OK, (HttpStatusCode)429], statuses.Keys.Order());
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.StopAsync();
            }
        }

        Assert.Equal(Quota, await LedgerUsedAsync(redis));
        foreach (var edge in edges)
        {
            await edge.DisposeAsync();
        }
    }

    [Fact]
    public async Task Rate_limit_is_global_across_edges_once_their_counts_are_synced()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var edges = await StartEdgesAsync(SharedSnapshot(origin.Url, 100), redis.ConnectionString, 2);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                using var ok = await edges[0].GetAsync("/api/v1/items", SharedRateToken);
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            // Well past SyncIntervalMs (20 ms here): the second edge now knows the first one's three.
            await Task.Delay(500);
            var second = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                using var response = await edges[1].GetAsync("/api/v1/items", SharedRateToken);
                second.Add(response.StatusCode);
            }

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)429, (HttpStatusCode)429], second);
            // How soon the first edge learns of the second one's two depends on its next push: that
            // staleness is the documented error bound, measured by loadtests/accuracy.sh rather than
            // asserted on a race here.
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Redis_stopped_mid_load_causes_no_errors_and_the_ledger_ends_exact()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var edges = await StartEdgesAsync(SharedSnapshot(origin.Url, 10_000_000), redis.ConnectionString, 2);
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        using var stop = new CancellationTokenSource();
        var load = edges.SelectMany(edge => Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await edge.GetAsync("/api/v1/items", SharedToken);
                statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            }
        }))).ToArray();

        await Task.Delay(1000);
        await redis.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(10));
        using (var ready = await edges[0].Admin.GetAsync("/readyz"))
        {
            Assert.Contains("\"redis\":\"down\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await redis.RestartAsync();

        // Both edges reconnect and catch up while the load goes on.
        foreach (var edge in edges)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!(await edge.Admin.GetStringAsync("/readyz")).Contains("\"redis\":\"up\"", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "the edge did not see Redis again within 20 s");
                await Task.Delay(100);
            }
        }

        await Task.Delay(1000);
        await stop.CancelAsync();
        await Task.WhenAll(load);
        foreach (var edge in edges)
        {
            await edge.StopAsync();
        }

        Assert.Equal([HttpStatusCode.OK], statuses.Keys);
        Assert.Equal(statuses[HttpStatusCode.OK], await LedgerUsedAsync(redis));
        foreach (var edge in edges)
        {
            await edge.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_edge_keeps_admitting_after_redis_restarts_empty()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        string[] args = [$"--EdgeFence:Redis={redis.ConnectionString}", "--EdgeFence:NodeId=edge-0", "--EdgeFence:SyncIntervalMs=20", "--EdgeFence:MaxLeaseSlice=1", "--EdgeFence:LeaseTimeoutMs=2000"];
        await using var edge = await EdgeHost.StartAsync(SharedSnapshot(origin.Url, 1_000_000), args);
        for (var i = 0; i < 100; i++)
        {
            using var ok = await edge.GetAsync("/api/v1/items", SharedToken);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // Redis without persistence loses the ledger: the edge's lease of about 100 must not have to be re-earned one unit at a time.
        await redis.StopAsync();
        await redis.RestartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var statuses = new List<HttpStatusCode>();
        while (statuses.Count < 50)
        {
            using var response = await edge.GetAsync("/api/v1/items", SharedToken);
            if ((await edge.Admin.GetStringAsync("/readyz")).Contains("\"redis\":\"up\"", StringComparison.Ordinal))
            {
                statuses.Add(response.StatusCode);
            }

            Assert.True(DateTime.UtcNow < deadline, "Redis did not come back within 20 s");
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        await edge.StopAsync();
        Assert.True(await LedgerUsedAsync(redis) >= 150, "the restarted ledger must catch up with every admitted unit");
    }

    [Fact]
    public async Task Counts_of_an_edge_stopped_while_redis_was_down_reach_the_ledger_after_its_restart()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        string[] args = [$"--EdgeFence:Redis={redis.ConnectionString}", "--EdgeFence:NodeId=edge-0", "--EdgeFence:SyncIntervalMs=20", "--EdgeFence:LeaseTimeoutMs=2000"];
        await using var edge = await EdgeHost.StartAsync(SharedSnapshot(origin.Url, 1_000_000), args);
        for (var i = 0; i < 5; i++)
        {
            using var ok = await edge.GetAsync("/api/v1/items", SharedToken);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await Task.Delay(300);
        await redis.StopAsync();
        for (var i = 0; i < 5; i++)
        {
            using var ok = await edge.GetAsync("/api/v1/items", SharedToken);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await edge.StopAsync();
        await redis.RestartAsync();
        Assert.Equal(0, await LedgerUsedAsync(redis));

        // The restarted edge serves nothing for this token, yet pushes what it had counted.
        await edge.RestartAsync(null, args);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await LedgerUsedAsync(redis) < 10 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(10, await LedgerUsedAsync(redis));
    }

    [Fact]
    public async Task Edge_starts_and_decides_with_redis_unreachable_within_its_share_of_the_over_admission_bound()
    {
        await using var origin = await TestOrigin.StartAsync();
        var unreachable = "127.0.0.1:1";
        var edges = await StartEdgesAsync(SharedSnapshot(origin.Url, 1000), unreachable, 1, "--EdgeFence:MaxOverAdmission=7");
        await using var edge = edges[0];
        var statuses = await DriveUntilRefusedAsync(edges, workersPerEdge: 2, cap: 200);

        // No lease was ever granted: the edge may admit only its share of MaxOverAdmission, then refuses; never a 5xx.
        Assert.Equal(7, statuses.GetValueOrDefault(HttpStatusCode.OK));
        Assert.Equal([HttpStatusCode.OK, (HttpStatusCode)429], statuses.Keys.Order());
        using var ready = await edge.Admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"redis\":\"down\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
