using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Payments;
using EdgeFence.Edge.Tests.Infrastructure;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Tests.Wallets;

public sealed class LedgerTests
{
    [Fact]
    public async Task Ledger_pages_through_the_deposits_oldest_first_with_the_debits_by_edge()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var controlPlane = await ControlPlaneHost.StartAsync(null, $"--ControlPlane:Redis={redis.ConnectionString}");
        var siteId = await Deposits.CreateSiteAsync(controlPlane);
        var made = new List<string>();
        for (var i = 1; i <= 5; i++)
        {
            made.Add((await Deposits.CreditAsync(controlPlane, "acme", siteId, i * 1_000, i == 3 ? "EUR" : "USD", $"k{i}")).Text);
        }

        // Another customer's deposit is not in acme's ledger.
        await Deposits.CreditAsync(controlPlane, "globex", siteId, 99, "USD", "k1");
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            await connection.GetDatabase().HashSetAsync(WalletKey.RedisKey(siteId, "acme", "USD"), [new("u:edge-a", 700), new("u:edge-b", 300), new("g", 5_000)]);
        }

        var seen = new List<string>();
        var pages = 0;
        string? after = null;
        do
        {
            var page = await controlPlane.GetAsync($"/v1/customers/acme/ledger?siteId={siteId}&limit=2{(after is null ? "" : "&after=" + after)}");
            Assert.True(page.Status == HttpStatusCode.OK, page.ToString());
            seen.AddRange(page.Json.GetProperty("deposits").EnumerateArray().Select(d => d.GetRawText()));
            after = page.Json.GetProperty("next").GetString();
            pages++;
            Assert.True(page.Json.GetProperty("debitsKnown").GetBoolean());
            var debits = page.Json.GetProperty("debits");
            Assert.Equal(2, debits.GetArrayLength());
            Assert.Equal("EUR", debits[0].GetProperty("currency").GetString());
            Assert.Equal(0, debits[0].GetProperty("debitedMicros").GetInt64());
            Assert.Equal("USD", debits[1].GetProperty("currency").GetString());
            Assert.Equal(1_000, debits[1].GetProperty("debitedMicros").GetInt64());
            Assert.Equal("""{"edge-a":700,"edge-b":300}""", debits[1].GetProperty("byEdge").GetRawText());
        }
        while (after is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(made, seen);
    }

    [Fact]
    public async Task Ledger_without_redis_lists_the_deposits_and_says_the_debits_are_unknown()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);
        var deposit = await Deposits.CreditAsync(controlPlane, "acme", siteId, 1_000, "USD", "k");

        var ledger = await controlPlane.GetAsync($"/v1/customers/acme/ledger?siteId={siteId}");

        Assert.Equal(HttpStatusCode.OK, ledger.Status);
        Assert.Equal(deposit.Text, Assert.Single(ledger.Json.GetProperty("deposits").EnumerateArray()).GetRawText());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, ledger.Json.GetProperty("next").ValueKind);
        Assert.False(ledger.Json.GetProperty("debitsKnown").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, ledger.Json.GetProperty("debits").ValueKind);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("after=-1", "after")]
    [InlineData("after=x", "after")]
    public async Task Bad_ledger_paging_is_a_400_naming_the_parameter(string query, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);

        var ledger = await controlPlane.GetAsync($"/v1/customers/acme/ledger?siteId={siteId}&{query}");

        Assert.Equal(HttpStatusCode.BadRequest, ledger.Status);
        Assert.Equal(field, ledger.Str("field"));
    }
}
