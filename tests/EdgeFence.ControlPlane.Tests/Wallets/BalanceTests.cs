using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Payments;
using EdgeFence.Edge.Tests.Infrastructure;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Tests.Wallets;

public sealed class BalanceTests
{
    [Fact]
    public async Task Balance_is_credited_minus_the_debits_every_edge_wrote_to_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var controlPlane = await ControlPlaneHost.StartAsync(null, $"--ControlPlane:Redis={redis.ConnectionString}");
        var siteId = await Deposits.CreateSiteAsync(controlPlane);
        await Deposits.CreditAsync(controlPlane, "acme", siteId, 10_000_000, "USD", "1");
        await Deposits.CreditAsync(controlPlane, "acme", siteId, 5_000_000, "USD", "2");
        await Deposits.CreditAsync(controlPlane, "acme", siteId, 300, "EUR", "3");

        // The edges' layout (WalletKey, LedgerFields): u:<node> is what each edge debited, r:<node> what it gave back
        // (a metered call settled below its reservation); l:<node> and g are leases, not debits.
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            await connection.GetDatabase().HashSetAsync(WalletKey.RedisKey(siteId, "acme", "USD"),
                [new("u:edge-a", 1_750_000), new("r:edge-a", 250_000), new("u:edge-b", 500_000), new("l:edge-a", 4_000_000), new("g", 9_000_000)]);
        }

        var balance = await controlPlane.GetAsync($"/v1/customers/acme/balance?siteId={siteId}");

        Assert.Equal(HttpStatusCode.OK, balance.Status);
        Assert.Equal(siteId, balance.Str("siteId"));
        Assert.Equal("acme", balance.Str("customer"));
        Assert.True(balance.Json.GetProperty("debitsKnown").GetBoolean());
        var balances = balance.Json.GetProperty("balances");
        Assert.Equal(2, balances.GetArrayLength());
        var eur = balances[0];
        Assert.Equal("EUR", eur.GetProperty("currency").GetString());
        Assert.Equal(300, eur.GetProperty("creditedMicros").GetInt64());
        Assert.Equal(0, eur.GetProperty("debitedMicros").GetInt64());
        Assert.Equal(300, eur.GetProperty("balanceMicros").GetInt64());
        var usd = balances[1];
        Assert.Equal("USD", usd.GetProperty("currency").GetString());
        Assert.Equal(15_000_000, usd.GetProperty("creditedMicros").GetInt64());
        Assert.Equal(2_000_000, usd.GetProperty("debitedMicros").GetInt64());
        Assert.Equal(13_000_000, usd.GetProperty("balanceMicros").GetInt64());
        Assert.Equal("""{"edge-a":1500000,"edge-b":500000}""", usd.GetProperty("byEdge").GetRawText());

        // A customer without deposits has no balances, not an error.
        var nobody = await controlPlane.GetAsync($"/v1/customers/nobody/balance?siteId={siteId}");
        Assert.Equal(HttpStatusCode.OK, nobody.Status);
        Assert.Equal(0, nobody.Json.GetProperty("balances").GetArrayLength());
    }

    [Fact]
    public async Task Balance_without_redis_says_the_debits_are_unknown_rather_than_zero()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);
        await Deposits.CreditAsync(controlPlane, "acme", siteId, 10_000_000, "USD", "1");

        var balance = await controlPlane.GetAsync($"/v1/customers/acme/balance?siteId={siteId}");

        Assert.Equal(HttpStatusCode.OK, balance.Status);
        Assert.False(balance.Json.GetProperty("debitsKnown").GetBoolean());
        Assert.Contains("ControlPlane:Redis", balance.Str("debitsDetail"), StringComparison.Ordinal);
        var usd = Assert.Single(balance.Json.GetProperty("balances").EnumerateArray());
        Assert.Equal(10_000_000, usd.GetProperty("creditedMicros").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, usd.GetProperty("debitedMicros").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, usd.GetProperty("balanceMicros").ValueKind);
    }

    [Fact]
    public async Task Balance_with_redis_down_is_a_503_problem()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var controlPlane = await ControlPlaneHost.StartAsync(null, $"--ControlPlane:Redis={redis.ConnectionString}");
        var siteId = await Deposits.CreateSiteAsync(controlPlane);
        await Deposits.CreditAsync(controlPlane, "acme", siteId, 10_000_000, "USD", "1");
        await redis.StopAsync();

        var balance = await controlPlane.GetAsync($"/v1/customers/acme/balance?siteId={siteId}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, balance.Status);
        Assert.Equal("urn:edgefence:problem:debits-unavailable", balance.Str("type"));
    }

    [Fact]
    public async Task Balance_needs_a_known_site()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();

        var missing = await controlPlane.GetAsync("/v1/customers/acme/balance");
        var unknown = await controlPlane.GetAsync("/v1/customers/acme/balance?siteId=site_nope");

        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal("siteId", missing.Str("field"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("siteId", unknown.Str("field"));
    }
}
