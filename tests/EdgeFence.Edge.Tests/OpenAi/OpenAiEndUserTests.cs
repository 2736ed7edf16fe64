using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeFence.Core.Model;
using EdgeFence.Edge.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Payments;
using OpenAI;
using OpenAI.Chat;

namespace EdgeFence.Edge.Tests.OpenAi;

/// <summary>
/// One app token serving many end users through the OpenAI .NET SDK: each user (the body's <c>user</c>, or a header)
/// has their own balance (the wallet of customer <c>chat co:&lt;user&gt;</c>) and their own quota; bad or contradicting
/// ids are a 400 in OpenAI shape.
/// </summary>
public sealed class OpenAiEndUserTests
{
    private static readonly long UsageCost = OpenAiDefaults.Cost(17, OpenAiSnapshot.InputPer1K) + OpenAiDefaults.Cost(5, OpenAiSnapshot.OutputPer1K);

    private static async Task<EdgeHost> StartAsync(OpenAiOrigin origin, WalletBook book, long? quota = null, string? userHeader = null)
    {
        var edge = await EdgeHost.StartAsync(OpenAiSnapshot.Create(origin.Url, quota, userHeader: userHeader));
        using var pushed = await PrepaidSnapshot.PushAsync(edge, book);
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        return edge;
    }

    private static ChatClient Client(EdgeHost edge)
        => new(OpenAiSnapshot.Model, new ApiKeyCredential(OpenAiSnapshot.Token), new OpenAIClientOptions { Endpoint = new Uri(edge.PublicUrl + "/demo/v1"), RetryPolicy = new ClientRetryPolicy(0) });

    private static Task<ClientResult<ChatCompletion>> ChatAsync(EdgeHost edge, string user)
        => Client(edge).CompleteChatAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { EndUserId = user, MaxOutputTokenCount = 16 });

    private static Task<HttpResponseMessage> PostAsync(EdgeHost edge, string body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/demo/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", OpenAiSnapshot.Token);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return edge.Public.SendAsync(request);
    }

    /// <summary>A user's balance as a 402 reports it: a call reserving more than any balance here is refused with the figures.</summary>
    private static async Task<long> BalanceAsync(EdgeHost edge, string user)
    {
        using var probe = await PostAsync(edge, $$"""{"model":"gpt-4o-mini","messages":[],"max_tokens":100000000,"user":"{{user}}"}""");
        Assert.Equal(HttpStatusCode.PaymentRequired, probe.StatusCode);
        using var json = JsonDocument.Parse(await probe.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetProperty("balance_micros").GetInt64();
    }

    /// <summary>Settling follows the response's last byte; the balance is read until it shows the settlement (or 5 s pass).</summary>
    private static async Task<long> SettledBalanceAsync(EdgeHost edge, string user, long expected)
    {
        var balance = await BalanceAsync(edge, user);
        for (var i = 0; i < 50 && balance != expected; i++)
        {
            await Task.Delay(100);
            balance = await BalanceAsync(edge, user);
        }

        return balance;
    }

    [Fact]
    public async Task Two_end_users_on_one_token_have_their_own_balances_one_drained_to_402_while_the_other_gets_200()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin, OpenAiSnapshot.UserBook(1, ("alice", 10_000_000), ("bob", 1_000)));

        // Bob's 1,000 micros pay a few calls at 74 each (once settled), until a reservation no longer fits.
        var bobCalls = 0;
        ClientResultException? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            try
            {
                await ChatAsync(edge, "bob");
                bobCalls++;
                await SettledBalanceAsync(edge, "bob", 1_000 - (bobCalls * UsageCost));
            }
            catch (ClientResultException e)
            {
                refused = e;
            }
        }

        Assert.NotNull(refused);
        Assert.True(bobCalls >= 1, "bob's first call fits his balance");
        Assert.Equal(402, refused!.Status);
        Assert.Contains("insufficient-balance", refused.Message, StringComparison.Ordinal);
        Assert.Contains("customer=chat%20co%3Abob", refused.Message, StringComparison.Ordinal);

        ChatCompletion alice = await ChatAsync(edge, "alice");
        Assert.Equal("Hello there", alice.Content[0].Text);
        Assert.Equal(10_000_000 - UsageCost, await SettledBalanceAsync(edge, "alice", 10_000_000 - UsageCost));
        Assert.Equal(1_000 - (bobCalls * UsageCost), await BalanceAsync(edge, "bob"));

        // The origin hears who is billed: the signed X-EdgeFence-Customer is the end user's account.
        Assert.Contains("chat co:alice", origin.Customers);
        Assert.Equal(bobCalls + 1, origin.BodyHashes.Count);
    }

    [Fact]
    public async Task Each_end_user_has_their_own_quota_on_the_tokens_plan()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin, OpenAiSnapshot.UserBook(1, ("alice", 10_000_000), ("bob", 10_000_000)), quota: 2);

        await ChatAsync(edge, "alice");
        await ChatAsync(edge, "alice");
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => ChatAsync(edge, "alice"));
        Assert.Equal(429, refused.Status);
        Assert.Contains("quota-exhausted", refused.Message, StringComparison.Ordinal);

        ChatCompletion bob = await ChatAsync(edge, "bob");
        Assert.Equal("Hello there", bob.Content[0].Text);
    }

    [Fact]
    public async Task A_user_nobody_credited_is_a_402_and_the_tokens_own_balance_does_not_pay_for_them()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        var book = new WalletBook { Version = 1, Wallets = [new WalletRecord("demo", OpenAiSnapshot.Customer, "USD", 10_000_000)] };
        await using var edge = await StartAsync(origin, book);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => ChatAsync(edge, "mallory"));
        Assert.Equal(402, refused.Status);
        Assert.Empty(origin.BodyHashes);

        // Without a user the token's own customer pays, as before.
        ChatCompletion own = await Client(edge).CompleteChatAsync([new UserChatMessage("Say hello")]);
        Assert.Equal("Hello there", own.Content[0].Text);
    }

    [Fact]
    public async Task The_user_header_the_paywalls_alias_and_a_configured_header_name_the_user()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        const string body = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":16}""";
        await using (var edge = await StartAsync(origin, OpenAiSnapshot.UserBook(1, ("alice", 10_000_000), ("bob", 10_000_000))))
        {
            using (var ok = await PostAsync(edge, body, ("X-EdgeFence-User", "alice")))
            {
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            using (var ok = await PostAsync(edge, body, ("X-Paywall-User", "bob")))
            {
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            Assert.Equal(10_000_000 - UsageCost, await SettledBalanceAsync(edge, "alice", 10_000_000 - UsageCost));
            Assert.Equal(10_000_000 - UsageCost, await SettledBalanceAsync(edge, "bob", 10_000_000 - UsageCost));
        }

        await using (var edge = await StartAsync(origin, OpenAiSnapshot.UserBook(1, ("carol", 10_000_000)), userHeader: "X-App-User"))
        {
            using (var ok = await PostAsync(edge, body, ("X-App-User", "carol")))
            {
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            Assert.Equal(10_000_000 - UsageCost, await SettledBalanceAsync(edge, "carol", 10_000_000 - UsageCost));
        }
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","messages":[],"user":"alice"}""", "X-EdgeFence-User", "bob")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[],"user":"alice"}""", "X-Paywall-User", "bob")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[],"user":"a b"}""", null, null)]
    [InlineData("""{"model":"gpt-4o-mini","messages":[],"user":"alice:admin"}""", null, null)]
    [InlineData("""{"model":"gpt-4o-mini","messages":[],"user":"evil\r\nX-Log: forged"}""", null, null)]
    [InlineData("""{"model":"gpt-4o-mini","messages":[],"user":""}""", null, null)]
    [InlineData("""{"model":"gpt-4o-mini","messages":[],"user":"h\u00e9"}""", null, null)]
    [InlineData("""{"model":"gpt-4o-mini","messages":[]}""", "X-EdgeFence-User", "0123456789012345678901234567890123456789012345678901234567890123x")]
    public async Task An_end_user_id_that_is_malformed_or_contradicted_is_a_400_in_openai_shape(string body, string? header, string? value)
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin, OpenAiSnapshot.UserBook(1, ("alice", 10_000_000), ("bob", 10_000_000)));

        using var refused = header is null ? await PostAsync(edge, body) : await PostAsync(edge, body, (header, value!));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var json = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid-end-user", error.GetProperty("code").GetString());
        Assert.Empty(origin.BodyHashes);
    }

    [Fact]
    public async Task A_header_and_a_body_naming_the_same_user_agree_and_the_user_pays()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin, OpenAiSnapshot.UserBook(1, ("alice", 10_000_000)));

        using (var ok = await PostAsync(edge, """{"model":"gpt-4o-mini","messages":[],"max_tokens":16,"user":"alice"}""", ("X-EdgeFence-User", "alice"), ("X-Paywall-User", "alice")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal(10_000_000 - UsageCost, await SettledBalanceAsync(edge, "alice", 10_000_000 - UsageCost));
    }
}
