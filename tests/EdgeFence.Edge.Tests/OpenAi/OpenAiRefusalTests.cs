using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeFence.Edge.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Payments;
using OpenAI;
using OpenAI.Chat;

namespace EdgeFence.Edge.Tests.OpenAi;

/// <summary>
/// Refusals on an OpenAI-compatible resource as the official OpenAI .NET SDK sees them, streaming and not: the status,
/// the <c>{"error":{"message","type","code"}}</c> body it parses, and an origin that never hears of the call.
/// </summary>
public sealed class OpenAiRefusalTests
{
    private const long Credit = 10_000_000;

    private static async Task<EdgeHost> StartAsync(OpenAiOrigin origin, long credit = Credit, long? quota = null, int? ratePerMinute = null)
    {
        var edge = await EdgeHost.StartAsync(OpenAiSnapshot.Create(origin.Url, quota, ratePerMinute));
        using var pushed = await PrepaidSnapshot.PushAsync(edge, OpenAiSnapshot.Book(1, credit));
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        return edge;
    }

    // No retries: the SDK retries a 429 three times by default, which would only repeat the refusal under test.
    private static ChatClient Client(EdgeHost edge, string token = OpenAiSnapshot.Token)
        => new(OpenAiSnapshot.Model, new ApiKeyCredential(token), new OpenAIClientOptions { Endpoint = new Uri(edge.PublicUrl + "/demo/v1"), RetryPolicy = new ClientRetryPolicy(0) });

    private static async Task<ClientResultException> RefusedAsync(ChatClient client, bool streaming, long maxTokens = 16)
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = (int)maxTokens };
        if (!streaming)
        {
            return await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("Say hello")], options));
        }

        return await Assert.ThrowsAsync<ClientResultException>(async () =>
        {
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Say hello")], options))
            {
                Assert.Fail("a refused stream yielded an update");
            }
        });
    }

    /// <summary>The refusal's body as the SDK received it: one error object with message, type and code.</summary>
    private static JsonElement ErrorOf(ClientResultException refused)
    {
        var raw = refused.GetRawResponse();
        Assert.NotNull(raw);
        Assert.StartsWith("application/json", raw!.Headers.TryGetValue("Content-Type", out var type) ? type : "", StringComparison.Ordinal);
        using var json = JsonDocument.Parse(raw.Content.ToString());
        var error = json.RootElement.GetProperty("error").Clone();
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error;
    }

    private static void AssertShape(ClientResultException refused, int status, string type, string code)
    {
        Assert.Equal(status, refused.Status);
        var error = ErrorOf(refused);
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());

        // The SDK puts the code in its exception's message: what a developer reads first.
        Assert.Contains(code, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unknown_key_is_a_401_authentication_error_the_sdk_throws(bool streaming)
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin);

        var refused = await RefusedAsync(Client(edge, "sk-not-a-key-of-this-site"), streaming);
        AssertShape(refused, 401, "authentication_error", "unknown-token");
        Assert.True(refused.GetRawResponse()!.Headers.TryGetValue("WWW-Authenticate", out var challenge));
        Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
        Assert.Empty(origin.BodyHashes);
    }

    [Fact]
    public async Task A_request_without_a_key_is_a_401_with_code_missing_token()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin);

        foreach (var stream in new[] { "false", "true" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/demo/v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":{{stream}}}""", Encoding.UTF8, "application/json"),
            };
            using var response = await edge.Public.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var error = json.RootElement.GetProperty("error");
            Assert.Equal("authentication_error", error.GetProperty("type").GetString());
            Assert.Equal("missing-token", error.GetProperty("code").GetString());
        }

        Assert.Empty(origin.BodyHashes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rate_limited_call_is_a_429_rate_limit_error_with_retry_after(bool streaming)
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin, ratePerMinute: 1);

        await Client(edge).CompleteChatAsync([new UserChatMessage("Say hello")]);
        var refused = await RefusedAsync(Client(edge), streaming);
        AssertShape(refused, 429, "rate_limit_error", "rate-limited");
        Assert.True(refused.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        // A sliding window: the call counted in this window still weighs on the next one, so up to two windows.
        Assert.InRange(int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture), 1, 120);
        Assert.Single(origin.BodyHashes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_call_over_the_hard_quota_is_a_429_with_code_quota_exhausted(bool streaming)
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin, quota: 1);

        await Client(edge).CompleteChatAsync([new UserChatMessage("Say hello")]);
        var refused = await RefusedAsync(Client(edge), streaming);
        AssertShape(refused, 429, "rate_limit_error", "quota-exhausted");
        Assert.True(refused.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.True(long.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Single(origin.BodyHashes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_empty_balance_is_a_402_insufficient_balance_with_the_top_up_link(bool streaming)
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin, credit: 0);

        var refused = await RefusedAsync(Client(edge), streaming);
        AssertShape(refused, 402, "insufficient_balance", "insufficient-balance");
        var error = ErrorOf(refused);
        Assert.Equal(0, error.GetProperty("balance_micros").GetInt64());
        Assert.Equal("https://pay.example/top-up?customer=chat%20co", error.GetProperty("top_up_url").GetString());
        Assert.Empty(origin.BodyHashes);
    }
}
