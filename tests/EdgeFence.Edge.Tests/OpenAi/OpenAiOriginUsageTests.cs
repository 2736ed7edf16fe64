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
/// An origin trusted to meter itself (<see cref="Resource.OpenAiOriginUsageHeader"/>) reports usage in a response header
/// or an HTTP/1.1 chunked trailer from a real Kestrel origin; the edge settles from that report, not from the body's
/// usage, and the client never sees it. An origin not marked trusted is not believed.
/// </summary>
public sealed class OpenAiOriginUsageTests
{
    private const long Credit = 10_000_000;
    private const string Header = "X-Origin-Usage";

    // The body says 17 + 5 tokens; the origin's own meter says 100 + 50: which one was charged shows who was believed.
    private static readonly long BodyCost = OpenAiDefaults.Cost(17, OpenAiSnapshot.InputPer1K) + OpenAiDefaults.Cost(5, OpenAiSnapshot.OutputPer1K);
    private static readonly long ReportedCost = OpenAiDefaults.Cost(100, OpenAiSnapshot.InputPer1K) + OpenAiDefaults.Cost(50, OpenAiSnapshot.OutputPer1K);

    private static async Task<EdgeHost> StartAsync(OpenAiOrigin origin, bool trusted)
    {
        var edge = await EdgeHost.StartAsync(OpenAiSnapshot.Create(origin.Url, originUsageHeader: trusted ? Header : null));
        using var pushed = await PrepaidSnapshot.PushAsync(edge, OpenAiSnapshot.Book(1, Credit));
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        return edge;
    }

    /// <summary>One call through the SDK; returns the response headers the SDK received (the report must not be among them).</summary>
    private static async Task<IReadOnlyDictionary<string, string>> CallAsync(EdgeHost edge, bool streaming)
    {
        var recorder = new ResponseHeaderRecorder();
        var clientOptions = new OpenAIClientOptions { Endpoint = new Uri(edge.PublicUrl + "/demo/v1"), RetryPolicy = new ClientRetryPolicy(0) };
        clientOptions.AddPolicy(recorder, PipelinePosition.PerCall);
        var client = new ChatClient(OpenAiSnapshot.Model, new ApiKeyCredential(OpenAiSnapshot.Token), clientOptions);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 64 };
        var text = new StringBuilder();
        if (!streaming)
        {
            ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Say hello")], options);
            text.Append(completion.Content[0].Text);
        }
        else
        {
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Say hello")], options))
            {
                foreach (var part in update.ContentUpdate)
                {
                    text.Append(part.Text);
                }
            }
        }

        Assert.Equal("Hello there", text.ToString());
        Assert.True(recorder.Responses.TryDequeue(out var headers));
        return headers!;
    }

    private static async Task<long> BalanceAsync(EdgeHost edge)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/demo/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[],"max_tokens":100000000}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", OpenAiSnapshot.Token);
        using var probe = await edge.Public.SendAsync(request);
        Assert.Equal(HttpStatusCode.PaymentRequired, probe.StatusCode);
        using var json = JsonDocument.Parse(await probe.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetProperty("balance_micros").GetInt64();
    }

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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_trusted_origin_reporting_usage_in_a_header_is_charged_that_usage_and_the_client_never_sees_the_header(bool streaming)
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        origin.Report = "prompt_tokens=100, completion_tokens=50";
        await using var edge = await StartAsync(origin, trusted: true);

        var headers = await CallAsync(edge, streaming);
        Assert.False(headers.ContainsKey(Header));
        Assert.Equal(Credit - ReportedCost, await SettledBalanceAsync(edge, Credit - ReportedCost));
    }

    /// <summary>
    /// The answer a raw HTTP/1.1 origin writes: chunked, the body's usage saying 17 + 5, and the trailer saying 100 + 50.
    /// Raw, because Kestrel writes response trailers on HTTP/2 only (its <c>SupportsTrailers()</c> is false on HTTP/1.1);
    /// the edge's side (YARP over SocketsHttpHandler, which parses chunked trailers) is the real one.
    /// </summary>
    private static RawReply ChunkedWithTrailer(RawOriginRequest request)
    {
        var streaming = Encoding.UTF8.GetString(request.Body).Contains("\"stream\":true", StringComparison.Ordinal);
        var usage = """{"prompt_tokens":17,"completion_tokens":5,"total_tokens":22}""";
        var parts = streaming
            ? new[]
            {
                """data: {"id":"c1","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]}""" + "\n\n",
                """data: {"id":"c1","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}]}""" + "\n\n",
                """data: {"id":"c1","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4o-mini","choices":[],"usage":""" + usage + "}\n\n",
                "data: [DONE]\n\n",
            }
            : new[] { """{"id":"c1","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}],""", "\"usage\":" + usage + "}" };
        var reply = new StringBuilder();
        reply.Append("HTTP/1.1 200 OK\r\nContent-Type: ").Append(streaming ? "text/event-stream" : "application/json")
            .Append("\r\nTransfer-Encoding: chunked\r\nTrailer: ").Append(Header).Append("\r\n\r\n");
        foreach (var part in parts)
        {
            reply.Append(Encoding.UTF8.GetByteCount(part).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n").Append(part).Append("\r\n");
        }

        reply.Append("0\r\n").Append(Header).Append(": completion_tokens=50,prompt_tokens=100\r\n\r\n");
        return new RawReply(Encoding.UTF8.GetBytes(reply.ToString()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_trusted_origin_reporting_usage_in_a_chunked_http11_trailer_is_charged_that_usage(bool streaming)
    {
        await using var origin = RawOrigin.Start(ChunkedWithTrailer);
        var edge = await EdgeHost.StartAsync(OpenAiSnapshot.Create(origin.Url, originUsageHeader: Header));
        await using (edge)
        {
            using (var pushed = await PrepaidSnapshot.PushAsync(edge, OpenAiSnapshot.Book(1, Credit)))
            {
                Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
            }

            var headers = await CallAsync(edge, streaming);
            Assert.False(headers.ContainsKey(Header));
            Assert.False(headers.TryGetValue("Trailer", out var announced) && announced.Contains(Header, StringComparison.OrdinalIgnoreCase));
            Assert.Equal(Credit - ReportedCost, await SettledBalanceAsync(edge, Credit - ReportedCost));
        }
    }

    [Fact]
    public async Task An_origin_not_marked_trusted_is_charged_from_the_body_whatever_header_it_sends()
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        origin.Report = "prompt_tokens=0, completion_tokens=0";
        await using var edge = await StartAsync(origin, trusted: false);

        await CallAsync(edge, streaming: false);
        Assert.Equal(Credit - BodyCost, await SettledBalanceAsync(edge, Credit - BodyCost));
    }

    [Theory]
    [InlineData("prompt_tokens=100")]
    [InlineData("prompt_tokens=-1, completion_tokens=5")]
    [InlineData("prompt_tokens=1e3, completion_tokens=5")]
    [InlineData("lots of tokens")]
    public async Task A_report_that_cannot_be_read_falls_back_to_the_bodys_usage(string report)
    {
        await using var origin = await OpenAiOrigin.StartAsync();
        origin.Report = report;
        await using var edge = await StartAsync(origin, trusted: true);

        await CallAsync(edge, streaming: false);
        Assert.Equal(Credit - BodyCost, await SettledBalanceAsync(edge, Credit - BodyCost));
    }
}
