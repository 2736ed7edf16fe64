using System.Text;
using System.Text.Json;
using EdgeFence.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace EdgeFence.Edge.Tests.Mcp;

/// <summary>
/// Paid MCP tools end to end: the official C# SDK as the MCP server behind a real edge and as the client calling
/// through it. Every test runs on both forwarding engines.
/// </summary>
public abstract class McpToolTests
{
    /// <summary>The forwarding engine under test (<c>EdgeFence:Upstream</c>).</summary>
    protected abstract string Upstream { get; }

    private async Task<(McpOrigin Origin, EdgeHost Edge)> StartAsync()
    {
        var origin = await McpOrigin.StartAsync();
        var edge = await EdgeHost.StartAsync(McpSnapshot.Create(origin.Url), $"--EdgeFence:Upstream={Upstream}");
        return (origin, edge);
    }

    private static async Task<McpClient> ConnectAsync(EdgeHost edge, string token, RecordingHandler recorder)
    {
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = new Uri(edge.PublicUrl + "/demo/mcp"),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
            },
            new HttpClient(recorder),
            NullLoggerFactory.Instance,
            ownsHttpClient: true);
        return await McpClient.CreateAsync(transport);
    }

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    [Fact]
    public async Task Each_tool_call_counts_its_own_cost_and_discovery_counts_nothing()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var recorder = new RecordingHandler();
            await using var client = await ConnectAsync(edge, McpSnapshot.Pro, recorder);
            var tools = await client.ListToolsAsync();
            Assert.Equal(["echo", "search", "store"], tools.Select(t => t.Name).Order());
            Assert.Equal(20, recorder.QuotaRemaining());

            Assert.Equal("hi", Text(await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" })));
            Assert.Equal(19, recorder.QuotaRemaining());
            Assert.Equal("3 results for edge", Text(await client.CallToolAsync("search", new Dictionary<string, object?> { ["query"] = "edge", ["limit"] = 3 })));
            Assert.Equal(14, recorder.QuotaRemaining());

            // A tool without a resource of its own costs what the endpoint costs.
            Assert.Equal("stored 3 characters", Text(await client.CallToolAsync("store", new Dictionary<string, object?> { ["data"] = "abc" })));
            Assert.Equal(12, recorder.QuotaRemaining());
            await client.ListToolsAsync();
            Assert.Equal(12, recorder.QuotaRemaining());
        }
    }

    [Fact]
    public async Task With_the_sites_opt_in_tools_list_shows_only_what_the_callers_plan_includes()
    {
        await using var origin = await McpOrigin.StartAsync();
        await using var filtering = await EdgeHost.StartAsync(McpSnapshot.Create(origin.Url, filterTools: true), $"--EdgeFence:Upstream={Upstream}");
        await using var plain = await EdgeHost.StartAsync(McpSnapshot.Create(origin.Url), $"--EdgeFence:Upstream={Upstream}");

        // The echo-only plan: search has its own resource and store costs the endpoint's, neither in the plan.
        await using (var client = await ConnectAsync(filtering, McpSnapshot.EchoOnly, new RecordingHandler()))
        {
            var tools = await client.ListToolsAsync();
            Assert.Equal(["echo"], tools.Select(t => t.Name));
            Assert.False(string.IsNullOrEmpty(tools[0].Description + tools[0].JsonSchema.ToString()), "the kept tool is sent whole");
            Assert.Equal("hi", Text(await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" })));
        }

        // A plan with every tool sees every tool; without the opt-in, every caller does.
        await using (var client = await ConnectAsync(filtering, McpSnapshot.Pro, new RecordingHandler()))
        {
            Assert.Equal(["echo", "search", "store"], (await client.ListToolsAsync()).Select(t => t.Name).Order());
        }

        await using (var client = await ConnectAsync(plain, McpSnapshot.EchoOnly, new RecordingHandler()))
        {
            Assert.Equal(["echo", "search", "store"], (await client.ListToolsAsync()).Select(t => t.Name).Order());
        }
    }

    [Fact]
    public async Task Tool_arguments_reach_the_server_unchanged_byte_for_byte()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var recorder = new RecordingHandler();
            await using var client = await ConnectAsync(edge, McpSnapshot.Pro, recorder);
            var text = "naïve \"quoted\" \\ 🚀 " + new string('x', 200);
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = text });

            Assert.Contains(origin.Calls, c => c.Tool == "echo" && c.Arguments == JsonSerializer.Serialize(new { text }));
            Assert.Equal(recorder.SentBodyHashes, origin.BodyHashes);
        }
    }

    [Fact]
    public async Task A_tool_call_larger_than_the_read_cap_is_priced_from_its_headers_and_streams_through_whole()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var recorder = new RecordingHandler();
            await using var client = await ConnectAsync(edge, McpSnapshot.Pro, recorder);
            var data = new string('d', 300_000);

            Assert.Equal("stored 300000 characters", Text(await client.CallToolAsync("store", new Dictionary<string, object?> { ["data"] = data })));
            Assert.Equal(18, recorder.QuotaRemaining());
            Assert.Contains(origin.Calls, c => c.Tool == "store" && c.Arguments.Length > 300_000);
            Assert.Equal(recorder.SentBodyHashes, origin.BodyHashes);
        }
    }

    [Fact]
    public async Task A_tool_outside_the_plan_is_refused_to_the_client_as_that_calls_error()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var recorder = new RecordingHandler();
            await using var client = await ConnectAsync(edge, McpSnapshot.EchoOnly, recorder);
            Assert.Equal("ok", Text(await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "ok" })));

            var refused = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("search", new Dictionary<string, object?> { ["query"] = "q", ["limit"] = 1 }).AsTask());
            Assert.Contains("does not include", refused.Message);
            Assert.Equal(-32003, (int)refused.ErrorCode);
            Assert.DoesNotContain(origin.Calls, c => c.Tool == "search");

            // Tools without a resource of their own are priced as the endpoint, which this plan does not include either.
            await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("store", new Dictionary<string, object?> { ["data"] = "x" }).AsTask());
            Assert.Equal(19, recorder.QuotaRemaining());
        }
    }

    [Fact]
    public async Task A_used_up_quota_is_refused_to_the_client_while_free_methods_keep_working()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var recorder = new RecordingHandler();
            await using var client = await ConnectAsync(edge, McpSnapshot.Small, recorder);
            await client.CallToolAsync("search", new Dictionary<string, object?> { ["query"] = "q", ["limit"] = 1 });
            Assert.Equal(0, recorder.QuotaRemaining());

            var refused = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "one more" }).AsTask());
            Assert.Contains("Quota for the billing period is used up", refused.Message);
            Assert.Equal(-32029, (int)refused.ErrorCode);
            Assert.DoesNotContain(origin.Calls, c => c.Arguments.Contains("one more", StringComparison.Ordinal));
            Assert.Equal(3, (await client.ListToolsAsync()).Count);
        }
    }

    [Fact]
    public async Task A_client_without_a_token_gets_401_with_a_bearer_challenge()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, edge.PublicUrl + "/demo/mcp")
            {
                Content = new StringContent("""{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}},"id":7}""", Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request);

            Assert.Equal(401, (int)response.StatusCode);
            Assert.Equal("Bearer realm=\"edgefence\"", response.Headers.WwwAuthenticate.ToString());
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(7, body.RootElement.GetProperty("id").GetInt32());
            Assert.Equal("missing-token", body.RootElement.GetProperty("error").GetProperty("data").GetProperty("reason").GetString());
        }
    }
}

/// <summary>The MCP suite against the pipelines engine.</summary>
public sealed class McpToolTestsOnPipelines : McpToolTests
{
    protected override string Upstream => "pipelines";
}

/// <summary>The MCP suite against YARP.</summary>
public sealed class McpToolTestsOnYarp : McpToolTests
{
    protected override string Upstream => "yarp";
}
