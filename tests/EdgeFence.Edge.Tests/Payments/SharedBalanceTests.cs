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
        var edges = await SharedQuotaTests.StartEdgesAsync(PrepaidSnapshot.Create(origin.Url, quota: 1_000_000), redis.ConnectionString, 3, "--EdgeFence:MaxBalanceLeaseMicros=20000");
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
}
