using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Payments;

/// <summary>A prepaid plan at one real edge: each allowed call debits its price, an empty balance is a 402 with the top-up link.</summary>
public sealed class PrepaidBalanceTests
{
    private const string TopUpLink = "https://pay.example/top-up?customer=prepaid%20co";

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Calls_debit_the_price_until_the_balance_is_short_then_402_with_the_top_up_link()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var edge = await EdgeHost.StartAsync(PrepaidSnapshot.Create(origin.Url));
        using (var pushed = await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(1, 3 * PrepaidSnapshot.Price + 1_000)))
        {
            Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            using var ok = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // The origin got what was charged, signed: change the charge and the signature no longer verifies.
        var seen = origin.Last;
        Assert.Equal("2500 USD", seen.Header(RequestSigner.ChargedHeader));
        Assert.StartsWith("t=", seen.Header(RequestSigner.SignatureHeader), StringComparison.Ordinal);
        Assert.Contains(",v2=", seen.Header(RequestSigner.SignatureHeader), StringComparison.Ordinal);
        bool Verifies(string charged) => RequestSigner.Verify(
            TestSnapshot.HmacSecret, seen.Header(RequestSigner.SignatureHeader), DateTimeOffset.UtcNow, RequestSigner.DefaultTolerance, "GET", seen.RawTarget,
            "t-prepaid", PrepaidSnapshot.Customer, "plan-prepaid", seen.Header(RequestSigner.RequestIdHeader)!, charged);
        Assert.True(Verifies("2500 USD"));
        Assert.False(Verifies("1 USD"));

        using var refused = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal($"<{TopUpLink}>; rel=\"payment\"", refused.Headers.GetValues("Link").Single());
        var problem = await ProblemAsync(refused);
        Assert.Equal("urn:edgefence:problem:insufficient-balance", problem.GetProperty("type").GetString());
        Assert.Equal(1_000, problem.GetProperty("balanceMicros").GetInt64());
        Assert.Equal(PrepaidSnapshot.Price, problem.GetProperty("priceMicros").GetInt64());
        Assert.Equal("USD", problem.GetProperty("currency").GetString());
        Assert.Equal(TopUpLink, problem.GetProperty("topUpUrl").GetString());
        Assert.Equal(3, origin.Requests.Count);

        // A deposit arrives as a newer wallet book: the next call goes through, and only one more fits.
        using (var pushed = await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(2, 4 * PrepaidSnapshot.Price + 1_000)))
        {
            Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        }

        using (var again = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using (var short2 = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, short2.StatusCode);
        }

        Assert.Equal(4, origin.Requests.Count);
    }

    [Fact]
    public async Task A_refused_call_uses_no_quota_and_the_plan_price_overrides_the_resource_price()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var edge = await EdgeHost.StartAsync(PrepaidSnapshot.Create(origin.Url, quota: 3));
        await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(1, PrepaidSnapshot.Price));
        using (var ok = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Contains("\"quota\";r=2", ok.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        }

        for (var i = 0; i < 3; i++)
        {
            using var refused = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
            Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        }

        // The plan prices chat at 40,000 (the resource itself is free): a balance one short of it is refused.
        await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(2, PrepaidSnapshot.Price + PrepaidSnapshot.ChatPrice - 1));
        using var chat = await edge.SendAsync(HttpMethod.Post, "/v1/chat/completions", PrepaidSnapshot.Token, r => r.Content = new StringContent("{}"));
        Assert.Equal(HttpStatusCode.PaymentRequired, chat.StatusCode);
        var problem = await ProblemAsync(chat);
        Assert.Equal(PrepaidSnapshot.ChatPrice, problem.GetProperty("priceMicros").GetInt64());

        using var item = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
        Assert.Equal(HttpStatusCode.OK, item.StatusCode);
        // Neither the three 402s nor the refused chat call (2 units) used quota: 3 - 1 - 1 = 1 left.
        Assert.Contains("\"quota\";r=1", item.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customer_never_credited_gets_402_with_a_zero_balance_and_other_plans_are_not_charged()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var edge = await EdgeHost.StartAsync(PrepaidSnapshot.Create(origin.Url));
        using var refused = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal(0, (await ProblemAsync(refused)).GetProperty("balanceMicros").GetInt64());

        using var subscription = await edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
        Assert.Equal(HttpStatusCode.OK, subscription.StatusCode);
        Assert.Null(origin.Last.Header(RequestSigner.ChargedHeader));
    }

    [Fact]
    public async Task Bad_wallet_books_are_refused_and_the_good_one_keeps_serving_and_survives_a_restart()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var edge = await EdgeHost.StartAsync(PrepaidSnapshot.Create(origin.Url));
        using (var good = await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(5, 10 * PrepaidSnapshot.Price)))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        }

        using (var unsigned = await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(6, 1), sign: false))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode);
            Assert.Equal("urn:edgefence:problem:wallets-rejected", (await ProblemAsync(unsigned)).GetProperty("type").GetString());
        }

        using (var stale = await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(5, 1)))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Equal(5, (await ProblemAsync(stale)).GetProperty("currentVersion").GetInt64());
        }

        using (var invalid = await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(7, -5)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Contains("creditedMicros", (await ProblemAsync(invalid)).GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        }

        // A snapshot is not a wallet book, even correctly signed.
        var snapshotBytes = Core.Serialization.SnapshotSerializer.Serialize(PrepaidSnapshot.Create(origin.Url));
        var wrongKind = new HttpRequestMessage(HttpMethod.Put, "/v1/wallets") { Content = new ByteArrayContent(snapshotBytes) };
        wrongKind.Headers.TryAddWithoutValidation(SnapshotSigner.HeaderName, Convert.ToBase64String(edge.Sign(snapshotBytes)));
        using (var refusedKind = await edge.Admin.SendAsync(wrongKind))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refusedKind.StatusCode);
        }

        using (var ok = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await edge.RestartAsync();
        using var status = await edge.Admin.GetAsync("/v1/wallets");
        Assert.Equal("{\"version\":5,\"balances\":1}", await status.Content.ReadAsStringAsync());

        // The debit survived the restart too (counters are checkpointed at shutdown): 9 calls left, not 10.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await edge.GetAsync("/api/v1/items", PrepaidSnapshot.Token);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.PaymentRequired, statuses[^1]);
    }

    [Fact]
    public async Task Middleware_mode_charges_the_same_and_answers_what_it_charged()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var edge = await EdgeHost.StartAsync(PrepaidSnapshot.Create(origin.Url));
        await PrepaidSnapshot.PushAsync(edge, PrepaidSnapshot.Book(1, PrepaidSnapshot.Price));

        async Task<JsonElement> AuthorizeAsync()
        {
            var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["token"] = PrepaidSnapshot.Token, ["method"] = "GET", ["path"] = "/api/v1/items", ["host"] = TestSnapshot.SiteHost });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authorize") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestSnapshot.OriginKey);
            using var response = await edge.Public.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        var allowed = await AuthorizeAsync();
        Assert.True(allowed.GetProperty("allow").GetBoolean());
        Assert.Equal(PrepaidSnapshot.Price, allowed.GetProperty("chargedMicros").GetInt64());
        Assert.Equal("USD", allowed.GetProperty("currency").GetString());
        Assert.Equal(0, allowed.GetProperty("balanceMicros").GetInt64());

        var denied = await AuthorizeAsync();
        Assert.False(denied.GetProperty("allow").GetBoolean());
        Assert.Equal(402, denied.GetProperty("status").GetInt32());
        Assert.Equal(TopUpLink, denied.GetProperty("problem").GetProperty("topUpUrl").GetString());
    }
}
