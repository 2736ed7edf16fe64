using System.Collections.Concurrent;
using System.Net;
using EdgeFence.Core.Payments;
using EdgeFence.Edge.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Sync;
using StackExchange.Redis;

namespace EdgeFence.Edge.Tests.Payments;

/// <summary>Several real edges draining one prepaid balance through one real redis-server: it never goes below zero.</summary>
public sealed class SharedBalanceTests
{
    [Fact]
    public async Task Three_edges_draining_one_balance_debit_exactly_what_was_credited()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        const int Calls = 150;
        var edges = await SharedQuotaTests.StartEdgesAsync(PrepaidSnapshot.Create(origin.Url, quota: null), redis.ConnectionString, 3, "--EdgeFence:MaxBalanceLeaseMicros=20000");
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        try
        {
            foreach (var edge in edges)
            {
                using var pushed = await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(1, Calls * PrepaidSnapshot.Price));
                Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
            }

            var sent = 0;
            await Task.WhenAll(edges.SelectMany(edge => Enumerable.Range(0, 6).Select(async _ =>
            {
                var refusedInARow = 0;
                while (refusedInARow < 20 && Interlocked.Increment(ref sent) <= 5_000)
                {
                    using var response = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
                    statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                    refusedInARow = response.StatusCode == HttpStatusCode.PaymentRequired ? refusedInARow + 1 : 0;
                }
            })));

            Assert.Equal(Calls, statuses.GetValueOrDefault(HttpStatusCode.OK));
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PaymentRequired], statuses.Keys.Order());
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.StopAsync();
            }
        }

        // The ledger the control plane reads holds exactly the debits, summed over the edges.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var fields = await connection.GetDatabase().HashGetAllAsync(WalletKey.RedisKey("demo", PrepaidSnapshot.Customer, "USD"));
        var debited = fields.Where(f => f.Name.ToString().StartsWith("u:", StringComparison.Ordinal)).Sum(f => (long)f.Value);
        Assert.Equal(Calls * PrepaidSnapshot.Price, debited);
        Assert.Equal(Calls, origin.Requests.Count);
        foreach (var edge in edges)
        {
            await edge.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_first_call_on_a_prepaid_plan_with_a_hard_quota_is_admitted_at_every_edge()
    {
        // A fresh account waits on the ledger up to four times before its first decision (the quota's resync and
        // lease, then the balance's): every wait must be allowed for, or a funded call is refused 402.
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var edges = await SharedQuotaTests.StartEdgesAsync(PrepaidSnapshot.Create(origin.Url, quota: 5), redis.ConnectionString, 2);
        try
        {
            foreach (var edge in edges)
            {
                using var pushed = await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(1, 100 * PrepaidSnapshot.Price));
                Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
            }

            foreach (var edge in edges)
            {
                using var response = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
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
    public async Task With_redis_down_the_edges_overspend_at_most_the_configured_bound_and_lose_no_debit()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        const int Calls = 20;
        const long Bound = 4 * PrepaidSnapshot.Price; // MaxBalanceOverspendMicros: two calls' worth per edge
        var edges = await SharedQuotaTests.StartEdgesAsync(PrepaidSnapshot.Create(origin.Url, quota: 1_000_000), redis.ConnectionString, 2, $"--EdgeFence:MaxBalanceOverspendMicros={Bound}");
        try
        {
            foreach (var edge in edges)
            {
                await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(1, Calls * PrepaidSnapshot.Price));
            }

            async Task<int> DrainAsync()
            {
                var admitted = 0;
                foreach (var edge in edges)
                {
                    for (var refused = 0; refused < 5;)
                    {
                        using var response = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
                        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.PaymentRequired, $"unexpected {response.StatusCode}");
                        admitted += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
                        refused += response.StatusCode == HttpStatusCode.OK ? 0 : 1;
                    }
                }

                return admitted;
            }

            // While Redis answers the balance is spent exactly; with Redis gone each edge may go its share further.
            // (The plan's quota keeps the edges talking to Redis, so they notice it is gone: with a balance
            // already known to be empty and nothing else to push they would just keep refusing, which spends nothing.)
            Assert.Equal(Calls, await DrainAsync());
            await redis.StopAsync();
            var extra = 0;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!edges.All(e => e.Admin.GetStringAsync("/readyz").Result.Contains("\"redis\":\"down\"", StringComparison.Ordinal)))
            {
                extra += await DrainAsync();
                Assert.True(DateTime.UtcNow < deadline, "the edges did not notice Redis down within 20 s");
            }

            extra += await DrainAsync();
            Assert.InRange(extra * PrepaidSnapshot.Price, 0, Bound);

            // Redis back, empty: every debit, the outage's included, reaches the ledger.
            await redis.RestartAsync();
            foreach (var edge in edges)
            {
                deadline = DateTime.UtcNow.AddSeconds(20);
                while (!(await edge.Admin.GetStringAsync("/readyz")).Contains("\"redis\":\"up\"", StringComparison.Ordinal))
                {
                    // A call makes the edge try Redis again (and marks the balance for the next push).
                    using var probe = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
                    extra += probe.StatusCode == HttpStatusCode.OK ? 1 : 0;
                    Assert.True(DateTime.UtcNow < deadline, "the edge did not see Redis again within 20 s");
                    await Task.Delay(100);
                }
            }

            await Task.Delay(1000);
            foreach (var edge in edges)
            {
                await edge.StopAsync();
            }

            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var fields = await connection.GetDatabase().HashGetAllAsync(WalletKey.RedisKey("demo", PrepaidSnapshot.Customer, "USD"));
            Assert.Equal((Calls + extra) * PrepaidSnapshot.Price, fields.Where(f => f.Name.ToString().StartsWith("u:", StringComparison.Ordinal)).Sum(f => (long)f.Value));
            Assert.Equal(Calls + extra, origin.Requests.Count);
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.DisposeAsync();
            }
        }
    }
}
