using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Mcp;

/// <summary>
/// MCP requests as no SDK sends them: not JSON, ids missing or repeated, members repeated, bodies past the read cap,
/// a lying Content-Length, headers that disagree with the body. Each gets a clear JSON-RPC error and the right
/// status, never a crash; and a batch or a pre-2026 request is priced from its body.
/// </summary>
public abstract class McpBadInputTests
{
    protected abstract string Upstream { get; }

    private async Task<(McpOrigin Origin, EdgeHost Edge)> StartAsync()
    {
        var origin = await McpOrigin.StartAsync();
        var edge = await EdgeHost.StartAsync(McpSnapshot.Create(origin.Url), $"--EdgeFence:Upstream={Upstream}");
        return (origin, edge);
    }

    private static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(EdgeHost edge, string body, Action<HttpRequestMessage>? edit = null)
    {
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, edge.PublicUrl + "/demo/mcp") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + McpSnapshot.Pro);
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        edit?.Invoke(request);
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType == "application/json" && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return ((int)response.StatusCode, json, response);
    }

    private static int Code(JsonElement error) => error.GetProperty("error").GetProperty("code").GetInt32();

    [Theory]
    [InlineData("not json at all", -32700)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"", -32700)]
    [InlineData("\"just a string\"", -32600)]
    [InlineData("[]", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}},\"id\":1,\"id\":2}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"tools/list\",\"method\":\"tools/call\",\"params\":{\"name\":\"search\"},\"id\":1}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"name\":\"search\"},\"id\":1}", -32600)]
    [InlineData("[{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1},{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}]", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"id\":1}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1} {}", -32700)]
    public async Task A_body_that_is_not_one_clear_json_rpc_request_gets_400_with_a_json_rpc_error(string body, int code)
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var (status, error, _) = await PostAsync(edge, body);

            Assert.Equal(400, status);
            Assert.Equal(code, Code(error.ValueKind == JsonValueKind.Array ? error[0] : error));
            Assert.Empty(origin.BodyHashes);
        }
    }

    [Fact]
    public async Task A_message_past_the_read_cap_without_mcp_headers_gets_413_and_with_them_goes_through()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var body = "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"store\",\"arguments\":{\"data\":\"" + new string('z', 100_000) + "\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{},\"io.modelcontextprotocol/clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}},\"id\":5}";
            var (status, error, _) = await PostAsync(edge, body);
            Assert.Equal(413, status);
            Assert.Contains("must fit in 65536 bytes", error.GetProperty("error").GetProperty("message").GetString());

            (status, _, var response) = await PostAsync(edge, body, r =>
            {
                r.Headers.Add("MCP-Protocol-Version", "2026-07-28");
                r.Headers.Add("Mcp-Method", "tools/call");
                r.Headers.Add("Mcp-Name", "store");
            });
            Assert.True(status == 200, await response.Content.ReadAsStringAsync());
            Assert.Contains("\"quota\";r=18;", response.Headers.GetValues("RateLimit").Single());
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body))), Assert.Single(origin.BodyHashes));
        }
    }

    [Fact]
    public async Task Headers_that_disagree_with_the_body_get_400_with_code_32020()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var (status, error, _) = await PostAsync(edge, "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"query\":\"q\",\"limit\":1}},\"id\":3}", r =>
            {
                r.Headers.Add("MCP-Protocol-Version", "2026-07-28");
                r.Headers.Add("Mcp-Method", "tools/call");
                r.Headers.Add("Mcp-Name", "echo");
            });

            Assert.Equal(400, status);
            Assert.Equal(-32020, Code(error));
            Assert.Equal(3, error.GetProperty("id").GetInt32());
            Assert.Empty(origin.BodyHashes);
        }
    }

    [Fact]
    public async Task A_request_claiming_an_older_revision_is_priced_from_its_body_and_a_batch_per_call()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            // No Mcp-Method: a downgrade must not dodge the price.
            var (_, _, response) = await PostAsync(edge, "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"query\":\"q\",\"limit\":1}},\"id\":1}",
                r => r.Headers.Add("MCP-Protocol-Version", "2025-06-18"));
            Assert.Contains("\"quota\";r=15;", response.Headers.GetValues("RateLimit").Single());

            (_, _, response) = await PostAsync(edge, """
                [{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"a"}},"id":"a"},
                 {"jsonrpc":"2.0","method":"tools/list","id":"b"},
                 {"jsonrpc":"2.0","method":"notifications/initialized"},
                 {"jsonrpc":"2.0","method":"tools/call","params":{"name":"search","arguments":{"query":"q","limit":1}},"id":"c"}]
                """);
            Assert.Contains("\"quota\";r=9;", response.Headers.GetValues("RateLimit").Single());
        }
    }

    [Fact]
    public async Task A_batch_over_the_quota_is_refused_whole_with_one_error_per_request_id()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var calls = string.Join(",", Enumerable.Range(1, 5).Select(i => "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"query\":\"q\",\"limit\":1}},\"id\":" + i + "}"));
            var (status, errors, _) = await PostAsync(edge, "[" + calls + "]");

            Assert.Equal(200, status);
            Assert.Equal([1, 2, 3, 4, 5], errors.EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
            Assert.All(errors.EnumerateArray(), e => Assert.Equal(-32029, Code(e)));
            Assert.Empty(origin.BodyHashes);
        }
    }

    [Fact]
    public async Task A_body_shorter_than_its_content_length_is_never_forwarded_and_the_edge_keeps_serving()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var uri = new Uri(edge.PublicUrl);
            using (var socket = new TcpClient())
            {
                await socket.ConnectAsync(uri.Host, uri.Port);
                var stream = socket.GetStream();
                var body = "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"";
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /demo/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {McpSnapshot.Pro}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{body}"));
                socket.Client.Shutdown(SocketShutdown.Send);
                using var reader = new StreamReader(stream, Encoding.ASCII);
                string answer;
                try
                {
                    answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (IOException)
                {
                    // Kestrel may drop a connection whose client stopped sending mid-body: also no request forwarded.
                    answer = "";
                }

                Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), answer);
            }

            Assert.Empty(origin.BodyHashes);

            var (status, _, _) = await PostAsync(edge, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}");
            Assert.Equal(200, status);
        }
    }
}

/// <summary>Bad MCP input against the pipelines engine.</summary>
public sealed class McpBadInputTestsOnPipelines : McpBadInputTests
{
    protected override string Upstream => "pipelines";
}

/// <summary>Bad MCP input against YARP.</summary>
public sealed class McpBadInputTestsOnYarp : McpBadInputTests
{
    protected override string Upstream => "yarp";
}
