using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.ControlPlane.Tests.Wallets;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.EndToEnd;

/// <summary>Deposits from the control plane to real edges, and the edges' debits back through real Redis.</summary>
public sealed class WalletDeliveryTests
{
    private const string Token = "tok-prepaid-e2e-0001";
    private const long Price = 2_500;

    [Fact]
    public async Task Deposit_is_at_the_edge_before_the_post_returns_and_a_new_edge_pulls_the_wallet_book_on_start()
    {
        await using var stack = await TestStack.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(stack.ControlPlane);

        var deposit = await Deposits.CreditAsync(stack.ControlPlane, "acme", siteId, 5_000_000, "USD", "order-1");

        // Read right after the POST returned, with no polling: the answer waited for the edge.
        var version = deposit.Json.GetProperty("walletVersion").GetInt64();
        Assert.Equal((version, 1), await EdgeWalletsAsync(stack.Edge));
        var delivery = (await stack.ControlPlane.GetAsync("/v1/wallets/edges")).Json;
        Assert.Equal(version, delivery.GetProperty("latestVersion").GetInt64());
        Assert.Equal(version, delivery.GetProperty("edges")[0].GetProperty("appliedVersion").GetInt64());
        Assert.Equal("applied", delivery.GetProperty("edges")[0].GetProperty("lastResult").GetString());

        // An edge this control plane never pushed to has the book as soon as it has started.
        await using var newcomer = await EdgeHost.StartAsync(null,
            $"--EdgeFence:SnapshotPublicKey={stack.ControlPlane.PublicKeyPath}",
            $"--EdgeFence:ControlPlaneUrl={stack.ControlPlane.Url}",
            $"--EdgeFence:ControlPlaneKey={ControlPlaneHost.EdgeKey}");
        Assert.Equal((version, 1), await EdgeWalletsAsync(newcomer));
    }

    [Fact]
    public async Task Prepaid_calls_at_a_real_edge_are_debited_and_the_balance_and_ledger_read_the_debits_from_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var port = FreePort.Next();
        await using var controlPlane = await ControlPlaneHost.StartAsync([$"http://127.0.0.1:{port}"], $"--ControlPlane:Redis={redis.ConnectionString}");
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = origin.Url, hosts = new[] { TestSnapshot.SiteHost } });
        var siteId = site.Str("id");
        await using var edge = await EdgeHost.StartAsync(null,
            $"--EdgeFence:AdminUrls=http://127.0.0.1:{port}",
            $"--EdgeFence:SnapshotPublicKey={controlPlane.PublicKeyPath}",
            $"--EdgeFence:Redis={redis.ConnectionString}",
            "--EdgeFence:NodeId=edge-a");

        // The control plane's API does not set prepaid plans or prices yet: the prepaid configuration of its site is
        // signed here with the control plane's own key, at a version above any it issues during the test.
        using (var pushed = await PushPrepaidSnapshotAsync(controlPlane, edge, siteId, site.Str("hmacSecret"), origin.Url))
        {
            Assert.True(pushed.StatusCode == HttpStatusCode.OK, await pushed.Content.ReadAsStringAsync());
        }

        // :: Three calls' worth and a bit: exactly three calls go through, whatever the edge's leases do meanwhile.
        var first = await Deposits.CreditAsync(controlPlane, "acme", siteId, (3 * Price) + 1_000, "USD", "order-1");
        Assert.Equal(first.Json.GetProperty("walletVersion").GetInt64(), (await EdgeWalletsAsync(edge)).Version);
        await CallUntilAllowedAsync(edge, 3);
        await AssertRefusedAsync(edge);

        var balance = await WaitForDebitedAsync(controlPlane, siteId, 3 * Price);
        Assert.Equal((3 * Price) + 1_000, balance.GetProperty("creditedMicros").GetInt64());
        Assert.Equal(1_000, balance.GetProperty("balanceMicros").GetInt64());
        Assert.Equal($$"""{"edge-a":{{3 * Price}}}""", balance.GetProperty("byEdge").GetRawText());

        // :: A deposit: the edge has it when the POST returns, and one more call fits.
        var second = await Deposits.CreditAsync(controlPlane, "acme", siteId, Price, "USD", "order-2");
        Assert.Equal(second.Json.GetProperty("walletVersion").GetInt64(), (await EdgeWalletsAsync(edge)).Version);
        await CallUntilAllowedAsync(edge, 1);
        await AssertRefusedAsync(edge);
        Assert.Equal(4, origin.Requests.Count);

        await WaitForDebitedAsync(controlPlane, siteId, 4 * Price);
        var ledger = await controlPlane.GetAsync($"/v1/customers/acme/ledger?siteId={siteId}");
        Assert.Equal([first.Text, second.Text], ledger.Json.GetProperty("deposits").EnumerateArray().Select(d => d.GetRawText()));
        var debits = Assert.Single(ledger.Json.GetProperty("debits").EnumerateArray());
        Assert.Equal(4 * Price, debits.GetProperty("debitedMicros").GetInt64());
        Assert.Equal($$"""{"edge-a":{{4 * Price}}}""", debits.GetProperty("byEdge").GetRawText());
    }

    private static async Task<HttpResponseMessage> PushPrepaidSnapshotAsync(ControlPlaneHost controlPlane, EdgeHost edge, string siteId, string hmacSecret, string originUrl)
    {
        var snapshot = new Snapshot
        {
            Version = 1_000_000,
            Sites =
            [
                new Site
                {
                    Id = siteId, Name = "Demo", Slug = "demo", OriginUrl = originUrl, Hosts = [TestSnapshot.SiteHost],
                    HmacSecret = Encoding.UTF8.GetBytes(hmacSecret), OriginKeyHash = SHA256.HashData(Encoding.UTF8.GetBytes("unused-origin-key")),
                },
            ],
            Plans = [new Plan { Id = "plan-prepaid", SiteId = siteId, Name = "Prepaid", Billing = PlanBilling.Prepaid, Currency = "USD" }],
            Resources = [new Resource { Id = "r-api", SiteId = siteId, Pattern = "/api/v1/*", PriceMicros = Price, Currency = "USD" }],
            Tokens = [new TokenRecord { Id = "t-prepaid", SiteId = siteId, PlanId = "plan-prepaid", Customer = "acme", Hash = TokenHasher.Hash(Token) }],
        };
        var bytes = SnapshotSerializer.Serialize(snapshot);
        using var key = SnapshotSigner.LoadPrivateKeyPem(await File.ReadAllTextAsync(controlPlane.SigningKeyPath));
        return await edge.PushAsync(bytes, SnapshotSigner.Sign(bytes, key));
    }

    /// <summary>
    /// Sends calls until <paramref name="allowed"/> went through. A call the edge cannot cover from its lease yet is a
    /// 402 that debits nothing, so the loop only waits out lease traffic; it never lets more than the balance through.
    /// </summary>
    private static async Task CallUntilAllowedAsync(EdgeHost edge, int allowed)
    {
        var clock = Stopwatch.StartNew();
        var ok = 0;
        while (ok < allowed)
        {
            using var response = await edge.GetAsync("/api/v1/items", Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                ok++;
                continue;
            }

            Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"only {ok} of {allowed} calls allowed in 10 s");
            await Task.Delay(50);
        }
    }

    /// <summary>What is left is below one price: every further call is a 402.</summary>
    private static async Task AssertRefusedAsync(EdgeHost edge)
    {
        for (var i = 0; i < 5; i++)
        {
            using var response = await edge.GetAsync("/api/v1/items", Token);
            Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        }
    }

    /// <summary>The edge reconciles its debits to Redis in the background; polls the balance until it shows them.</summary>
    private static async Task<JsonElement> WaitForDebitedAsync(ControlPlaneHost controlPlane, string siteId, long debited)
    {
        var clock = Stopwatch.StartNew();
        ApiResponse balance;
        do
        {
            balance = await controlPlane.GetAsync($"/v1/customers/acme/balance?siteId={siteId}");
            Assert.True(balance.Status == HttpStatusCode.OK, balance.ToString());
            var usd = Assert.Single(balance.Json.GetProperty("balances").EnumerateArray());
            if (usd.GetProperty("debitedMicros").GetInt64() == debited)
            {
                return usd.Clone();
            }

            await Task.Delay(50);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Fail($"debited never reached {debited} in 10 s: {balance}");
        return default;
    }

    private static async Task<(long Version, int Balances)> EdgeWalletsAsync(EdgeHost edge)
    {
        using var json = JsonDocument.Parse(await edge.Admin.GetStringAsync("/v1/wallets"));
        var version = json.RootElement.GetProperty("version");
        return version.ValueKind == JsonValueKind.Null ? (0, 0) : (version.GetInt64(), json.RootElement.GetProperty("balances").GetInt32());
    }
}
