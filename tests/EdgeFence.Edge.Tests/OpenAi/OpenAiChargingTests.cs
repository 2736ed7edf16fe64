using System.ClientModel;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Payments;
using OpenAI;
using OpenAI.Chat;

namespace EdgeFence.Edge.Tests.OpenAi;

/// <summary>
/// The official OpenAI .NET SDK calling a local OpenAI-compatible origin through a real edge: each call reserves its
/// tokens' price at admission and is charged, once the response has ended, exactly what the origin's usage costs.
/// </summary>
public sealed class OpenAiChargingTests
{
    private const long Credit = 10_000_000;

    // 17 prompt tokens at 2,000 micros per 1K and 5 completion tokens at 8,000 per 1K, each rounded up to a micro.
    private static readonly long UsageCost = OpenAiDefaults.Cost(17, OpenAiSnapshot.InputPer1K) + OpenAiDefaults.Cost(5, OpenAiSnapshot.OutputPer1K);

    private static async Task<EdgeHost> StartAsync(OpenAiOrigin origin, long credit = Credit)
    {
        var edge = await EdgeHost.StartAsync(OpenAiSnapshot.Create(origin.Url));
        using var pushed = await PrepaidSnapshot.PushAsync(edge, OpenAiSnapshot.Book(1, credit));
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        return edge;
    }

    private static ChatClient Client(EdgeHost edge)
        => new(OpenAiSnapshot.Model, new ApiKeyCredential(OpenAiSnapshot.Token), new OpenAIClientOptions { Endpoint = new Uri(edge.PublicUrl + "/demo/v1") });

    private static Task<HttpResponseMessage> PostAsync(EdgeHost edge, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/demo/v1/chat/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", OpenAiSnapshot.Token);
        return edge.Public.SendAsync(request);
    }

    /// <summary>The balance as a 402 reports it: a call reserving more than any balance here is refused with the figures.</summary>
    private static async Task<long> BalanceAsync(EdgeHost edge)
    {
        using var probe = await PostAsync(edge, Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[],"max_tokens":100000000}"""));
        Assert.Equal(HttpStatusCode.PaymentRequired, probe.StatusCode);
        using var json = JsonDocument.Parse(await probe.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetProperty("balance_micros").GetInt64();
    }

    /// <summary>Settling follows the response's last byte; the balance is read until it shows the settlement (or 5 s pass).</summary>
    private static async Task<long> SettledBalanceAsync(EdgeHost edge, long expected)
    {
        var balance = await BalanceAsync(edge);
        for (var i = 0; i < 50 && balance != expected; i++)
        {
            await Task.Delay(100);
            balance = await BalanceAsync(edge);
        }

        return balance;
    }

    private static long Reservation(int bodyBytes, long maxTokens)
        => OpenAiDefaults.Cost(bodyBytes, OpenAiSnapshot.InputPer1K) + OpenAiDefaults.Cost(maxTokens, OpenAiSnapshot.OutputPer1K);

    [Fact]
    public async Task A_chat_completion_through_the_sdk_is_charged_exactly_its_usage_and_the_origin_sees_the_reservation()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin);
        Assert.Equal(Credit, await BalanceAsync(edge));

        ChatCompletion completion = await Client(edge).CompleteChatAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 32 });
        Assert.Equal("Hello there", completion.Content[0].Text);
        Assert.Equal(17, completion.Usage.InputTokenCount);

        Assert.Equal(Credit - UsageCost, await SettledBalanceAsync(edge, Credit - UsageCost));
        Assert.True(origin.ChargedHeaders.TryDequeue(out var charged));
        var reserved = long.Parse(charged!.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(reserved >= OpenAiDefaults.Cost(32, OpenAiSnapshot.OutputPer1K) && reserved > UsageCost, charged);
        Assert.EndsWith(" USD", charged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streamed_completion_is_charged_from_the_final_sse_chunk()
    {
        // The origin sends the usage chunk only when asked: the SDK asks (stream_options.include_usage), else this
        // call would be charged its reservation.
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin);

        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in Client(edge).CompleteChatStreamingAsync([new UserChatMessage("Say hello")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
        }

        Assert.Equal("Hello there", text.ToString());
        Assert.Equal(5, usage?.OutputTokenCount);
        Assert.Equal(Credit - UsageCost, await SettledBalanceAsync(edge, Credit - UsageCost));
    }

    [Fact]
    public async Task A_stream_that_does_not_ask_for_usage_is_charged_its_reservation_and_its_body_reaches_the_origin_unchanged()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin);

        // npm openai@6 sends this by default: no stream_options. The origin (like OpenAI) then sends no usage chunk.
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true,"max_tokens":40}""");
        using (var response = await PostAsync(edge, body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var events = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("\"usage\":{", events, StringComparison.Ordinal);
            Assert.EndsWith("data: [DONE]\n\n", events, StringComparison.Ordinal);
        }

        var expected = Credit - Reservation(body.Length, 40);
        Assert.Equal(expected, await SettledBalanceAsync(edge, expected));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(body)), Assert.Single(origin.BodyHashes));
    }

    [Fact]
    public async Task A_stream_asking_for_usage_in_stream_options_is_charged_its_usage()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin);

        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","stream":true,"stream_options":{"other":[1,{"a":2}],"include_usage":true},"messages":[{"role":"user","content":"hi"}],"max_tokens":40}""");
        using (var response = await PostAsync(edge, body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"usage\":{", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(Credit - UsageCost, await SettledBalanceAsync(edge, Credit - UsageCost));
    }

    [Fact]
    public async Task A_reservation_the_balance_does_not_cover_is_a_402_the_sdk_throws_with_the_code_and_the_origin_never_sees()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin, credit: 100);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => Client(edge).CompleteChatAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 1_000 }));
        Assert.Equal(402, refused.Status);
        Assert.Contains("insufficient-balance", refused.Message, StringComparison.Ordinal);
        Assert.Contains("https://pay.example/top-up?customer=chat%20co", refused.Message, StringComparison.Ordinal);
        Assert.Empty(origin.BodyHashes);
        Assert.Equal(100, await BalanceAsync(edge));
    }

    [Fact]
    public async Task A_stream_cut_before_its_usage_is_charged_the_reservation()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin);
        origin.CutBeforeUsage = true;

        var body = Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":"hi"}],"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"max_tokens":40}""");
        try
        {
            using var response = await PostAsync(edge, body);
            await response.Content.ReadAsByteArrayAsync();
        }
        catch (HttpRequestException)
        {
            // The origin went away mid-stream; so does the edge's answer.
        }

        var expected = Credit - Reservation(body.Length, 40);
        Assert.Equal(expected, await SettledBalanceAsync(edge, expected));
    }

    [Fact]
    public async Task Absurd_usage_numbers_are_capped_and_cost_at_most_the_reservation()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin);
        origin.UsageJson = """{"prompt_tokens":1e300,"completion_tokens":-5,"total_tokens":99999999999999999999999}""";

        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":10}""");
        using (var response = await PostAsync(edge, body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Capped at 100M prompt tokens, the usage would cost far more than the balance: the call keeps its reservation.
        var expected = Credit - Reservation(body.Length, 10);
        Assert.Equal(expected, await SettledBalanceAsync(edge, expected));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_in_openai_shape_and_a_good_one_reaches_the_origin_byte_for_byte()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        await using var edge = await StartAsync(origin);

        foreach (var bad in new[] { "not json", """{"model":"gpt-4o-mini","model":"other","messages":[]}""", """{"messages":[]}""", "[1,2]", """{"model":"gpt-4o-mini","messages":[],"stream":true,"stream_options":{"include_usage":"yes"}}""",
            """{"model":"gpt-4o-mini","messages":[],"stream_options":{"include_usage":false,"include_usage":true}}""", """{"model":"gpt-4o-mini","messages":[],"stream_options":[true]}""" })
        {
            using var refused = await PostAsync(edge, Encoding.UTF8.GetBytes(bad));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            using var json = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            var error = json.RootElement.GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.Equal("invalid-request-body", error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        }

        using (var unknown = await PostAsync(edge, Encoding.UTF8.GetBytes("""{"model":"gpt-9","messages":[]}""")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("model_not_found", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var huge = await PostAsync(edge, new byte[600 * 1024]))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        }

        Assert.Empty(origin.BodyHashes);
        var good = Encoding.UTF8.GetBytes("{ \"messages\" : [ {\"role\":\"user\",\"content\":\"h\\u00e9\"} ],\n\t\"model\":\"gpt-4o-mini\" , \"max_tokens\": 3 }");
        using (var ok = await PostAsync(edge, good))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal(Convert.ToHexString(SHA256.HashData(good)), Assert.Single(origin.BodyHashes));
    }
}
