using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>
/// The fast path's own connection handling, seen from a raw client socket against a real edge and a real origin on
/// loopback: keep-alive, pipelining, hand-off to Kestrel's stack mid-connection, an origin that closes, request ids.
/// </summary>
public sealed class FastPathConnectionTests
{
    private const string Quota = "\"quota\";r={0};t=";

    private static string[] Args(bool fastPath, params string[] extra) => ["--EdgeFence:Upstream=pipelines", $"--EdgeFence:FastPath={fastPath}", .. extra];

    [Fact]
    public async Task Keep_alive_serves_paid_requests_in_order_on_one_connection_each_counted_once()
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);

        for (var i = 0; i < 4; i++)
        {
            await client.SendAsync(WireRequest.Get($"/api/v1/items/{i}", TestSnapshot.Basic));
            var response = await client.ReadResponseAsync();

            Assert.Equal(200, response.Status);
            Assert.Equal($"origin saw GET /api/v1/items/{i}?api_key=origin-private", response.BodyText);
            Assert.False(response.Closes);
            Assert.Matches($"^\"rate\";r={99 - i};t=[0-9]+, \"quota\";r={4 - i};t=[0-9]+$", response.Header("RateLimit"));
            Assert.Equal(i + 1, env.Origin.Requests.Count);
        }

        Assert.Equal(
            ["/api/v1/items/0?api_key=origin-private", "/api/v1/items/1?api_key=origin-private", "/api/v1/items/2?api_key=origin-private", "/api/v1/items/3?api_key=origin-private"],
            env.Origin.Requests.Select(r => r.RawTarget));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Upload_longer_than_the_origin_timeout_is_not_cut_while_its_bytes_keep_moving(bool fastPath)
    {
        // The origin timeout is an activity timeout: each body piece restarts it, so a slow (but paced) upload of
        // 2.8 s goes through an edge whose origin timeout is 1 s, and the origin sees the whole body.
        await using var origin = RawOrigin.Start(r => RawReply.Ok("received|" + Encoding.Latin1.GetString(r.Body)));
        await using var edge = await EdgeHost.StartAsync(TestSnapshot.Create(origin.Url), Args(fastPath, "--EdgeFence:OriginTimeoutSeconds=1"));
        await using var client = await WireClient.ConnectAsync(edge.PublicUrl);
        var pieces = Enumerable.Range(0, 7).Select(i => $"piece-{i};").ToArray();
        var body = string.Concat(pieces);
        await client.SendAsync(WireRequest.Of("POST", "/public/upload", null, $"Content-Length: {body.Length}\r\n"));
        foreach (var piece in pieces)
        {
            await Task.Delay(400);
            await client.SendAsync(piece);
        }

        var response = await client.ReadResponseAsync();
        Assert.Equal((200, "received|" + body), (response.Status, response.BodyText));
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order_with_bodies_intact_both_ways()
    {
        // The origin echoes the request line and body with a Content-Length, so both directions are length-framed.
        await using var origin = RawOrigin.Start(r =>
        {
            var line = r.Head[..r.Head.IndexOf("\r\n", StringComparison.Ordinal)];
            return RawReply.Ok($"{line}|{Encoding.Latin1.GetString(r.Body)}");
        });
        await using var edge = await EdgeHost.StartAsync(TestSnapshot.Create(origin.Url), Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(edge.PublicUrl);

        var big = new string('x', 70_000) + "end";
        await client.SendAsync(
            WireRequest.Get("/api/v1/p1", TestSnapshot.Rate)
            + WireRequest.Get("/api/v1/p2")
            + WireRequest.Post("/public/upload", "first body")
            + WireRequest.Get("/api/v1/p3", TestSnapshot.Rate)
            + WireRequest.Post("/api/v1/p4", big, TestSnapshot.Rate)
            + WireRequest.Get("/api/v1/p5", TestSnapshot.Rate)
            + WireRequest.Post("/api/v1/p6", "last body", TestSnapshot.Basic));

        var p1 = await client.ReadResponseAsync();
        var p2 = await client.ReadResponseAsync();
        var upload = await client.ReadResponseAsync();
        var p3 = await client.ReadResponseAsync();
        var p4 = await client.ReadResponseAsync();
        var p5 = await client.ReadResponseAsync();
        var p6 = await client.ReadResponseAsync();

        Assert.Equal((200, "GET /api/v1/p1?api_key=origin-private HTTP/1.1|"), (p1.Status, p1.BodyText));
        Assert.Equal(401, p2.Status);
        Assert.Equal("urn:edgefence:problem:missing-token", ProblemType(p2));
        Assert.Equal((200, "POST /public/upload?api_key=origin-private HTTP/1.1|first body"), (upload.Status, upload.BodyText));
        Assert.Equal((200, "GET /api/v1/p3?api_key=origin-private HTTP/1.1|"), (p3.Status, p3.BodyText));
        Assert.Equal((200, "POST /api/v1/p4?api_key=origin-private HTTP/1.1|" + big), (p4.Status, p4.BodyText));
        Assert.Equal(429, p5.Status);
        Assert.Equal("urn:edgefence:problem:rate-limited", ProblemType(p5));
        Assert.Equal((200, "POST /api/v1/p6?api_key=origin-private HTTP/1.1|last body"), (p6.Status, p6.BodyText));
        Assert.All([p1, upload, p3, p4, p6], r => Assert.NotNull(r.Header("Content-Length")));
        Assert.Equal(0, client.PendingCount);

        // Five forwarded, all on one origin connection, none twice.
        Assert.Equal(5, origin.Requests.Count);
        Assert.Equal(1, origin.Connections);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Requests_handed_to_kestrel_mid_connection_are_answered_in_order_with_the_fast_ones(bool pipelined)
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        string[] requests =
        [
            WireRequest.Get("/api/v1/one", TestSnapshot.Basic),

            // A valid %-escape and a chunked body: neither is the fast path's.
            WireRequest.Get("/api/v1/tw%6F", TestSnapshot.Basic),
            WireRequest.PostChunked("/public/upload", "chunked payload"),
            WireRequest.Get("/api/v1/three", TestSnapshot.Basic),
        ];

        var responses = new List<WireResponse>();
        if (pipelined)
        {
            await client.SendAsync(string.Concat(requests));
            foreach (var _ in requests)
            {
                responses.Add(await client.ReadResponseAsync());
            }
        }
        else
        {
            foreach (var request in requests)
            {
                await client.SendAsync(request);
                responses.Add(await client.ReadResponseAsync());
            }
        }

        Assert.All(responses, r => Assert.Equal(200, r.Status));
        Assert.Equal("origin saw GET /api/v1/one?api_key=origin-private", responses[0].BodyText);
        Assert.StartsWith("origin saw GET /api/v1/tw", responses[1].BodyText, StringComparison.Ordinal);
        Assert.Equal("origin saw POST /public/upload?api_key=origin-private", responses[2].BodyText);
        Assert.Equal("origin saw GET /api/v1/three?api_key=origin-private", responses[3].BodyText);

        // One quota counted by both HTTP layers: 5, then 4, 3, 2 left.
        Assert.StartsWith(string.Format(null, Quota, 4), QuotaPart(responses[0]), StringComparison.Ordinal);
        Assert.StartsWith(string.Format(null, Quota, 3), QuotaPart(responses[1]), StringComparison.Ordinal);
        Assert.StartsWith(string.Format(null, Quota, 2), QuotaPart(responses[3]), StringComparison.Ordinal);

        var seen = env.Origin.Requests.ToArray();
        Assert.Equal(4, seen.Length);
        Assert.Equal(Hex("chunked payload"), seen[2].BodySha256);
        Assert.Equal("chunked payload".Length, seen[2].BodyBytes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Origin_closing_its_connection_leaves_the_client_connection_usable(bool pipelined)
    {
        await using var origin = RawOrigin.Start(_ => RawReply.Of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok") with { Close = true });
        await using var edge = await EdgeHost.StartAsync(TestSnapshot.Create(origin.Url), Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(edge.PublicUrl);

        var responses = new List<WireResponse>();
        if (pipelined)
        {
            await client.SendAsync(WireRequest.Get("/api/v1/a", TestSnapshot.Basic) + WireRequest.Get("/public/b") + WireRequest.Get("/api/v1/c", TestSnapshot.Basic));
            for (var i = 0; i < 3; i++)
            {
                responses.Add(await client.ReadResponseAsync());
            }
        }
        else
        {
            foreach (var target in (string[])["/api/v1/a", "/public/b", "/api/v1/c"])
            {
                await client.SendAsync(WireRequest.Get(target, TestSnapshot.Basic));
                responses.Add(await client.ReadResponseAsync());
            }
        }

        Assert.All(responses, r =>
        {
            Assert.Equal(200, r.Status);
            Assert.Equal("ok", r.BodyText);

            // The origin's Connection is hop-by-hop: the client's connection is the edge's to keep.
            Assert.False(r.HasHeader("Connection"));
        });
        Assert.Equal(3, origin.Connections);
        Assert.Equal(3, origin.Requests.Count);
        Assert.All(origin.Requests, r => Assert.Equal(0, r.Index));

        // And the client's connection still serves.
        await client.SendAsync(WireRequest.Get("/public/d"));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Pipelined_requests_each_get_their_own_request_id_the_origin_and_the_decision_log_see()
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(
            WireRequest.Get("/api/v1/a", TestSnapshot.Basic)
            + WireRequest.Get("/api/v1/b")
            + WireRequest.Get("/api/v1/c", TestSnapshot.Basic)
            + WireRequest.Get("/api/v1/d", TestSnapshot.Revoked)
            + WireRequest.Get("/public/e"));

        var responses = new List<WireResponse>();
        for (var i = 0; i < 5; i++)
        {
            responses.Add(await client.ReadResponseAsync());
        }

        Assert.Equal([200, 401, 200, 403, 200], responses.Select(r => r.Status));
        var ids = responses.Select(r => r.Header(RequestSigner.RequestIdHeader)!).ToArray();
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal(5, ids.Distinct().Count());

        // A refusal names its id in the problem too; the origin saw the ids of the forwarded ones.
        Assert.Equal(ids[1], ProblemMember(responses[1], "requestId"));
        Assert.Equal(ids[3], ProblemMember(responses[3], "requestId"));
        Assert.Equal([ids[0], ids[2], ids[4]], env.Origin.Requests.Select(r => r.Header(RequestSigner.RequestIdHeader)));

        // Each decision is logged once under its id (the log is flushed when the edge stops).
        await env.Edge.StopAsync();
        var logged = Directory.GetFiles(Path.Combine(env.Edge.DataDir, "decisions"), "decisions-*.ndjson")
            .SelectMany(File.ReadAllLines)
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("requestId").GetString())
            .ToArray();
        Assert.All(ids, id => Assert.Single(logged, l => l == id));
    }

    [Fact]
    public async Task Heads_bigger_than_a_pipe_segment_are_served_and_the_pipelined_request_behind_them_is_intact()
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        var big = new string('v', 20_000);
        await client.SendAsync(
            WireRequest.Get("/api/v1/big", TestSnapshot.Basic, $"X-Big: {big}\r\n")
            + WireRequest.Post("/public/upload", "after the big head", extra: $"X-Big: {big}\r\n")
            + WireRequest.Get("/api/v1/small", TestSnapshot.Basic));

        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();
        var third = await client.ReadResponseAsync();

        Assert.Equal("origin saw GET /api/v1/big?api_key=origin-private", first.BodyText);
        Assert.Equal("origin saw POST /public/upload?api_key=origin-private", second.BodyText);
        Assert.Equal("origin saw GET /api/v1/small?api_key=origin-private", third.BodyText);
        var seen = env.Origin.Requests.ToArray();
        Assert.Equal(big, seen[0].Header("X-Big"));
        Assert.Equal(big, seen[1].Header("X-Big"));
        Assert.Equal(Hex("after the big head"), seen[1].BodySha256);
        Assert.Null(seen[2].Header("X-Big"));
    }

    [Fact]
    public async Task Allowed_head_is_answered_without_a_body_and_the_pipelined_request_behind_it_is_intact()
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Head("/api/v1/items", TestSnapshot.Basic) + WireRequest.Get("/api/v1/items", TestSnapshot.Basic));

        var head = await client.ReadResponseAsync(toHead: true);
        var get = await client.ReadResponseAsync();

        Assert.Equal(200, head.Status);
        Assert.Equal("test", head.Header("X-Origin"));
        Assert.Equal(200, get.Status);
        Assert.Equal("origin saw GET /api/v1/items?api_key=origin-private", get.BodyText);
        Assert.Equal(["HEAD", "GET"], env.Origin.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task Request_with_connection_close_gets_the_last_answer_and_the_pipelined_one_behind_it_none()
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Get("/api/v1/last", TestSnapshot.Basic, "Connection: close\r\n") + WireRequest.Get("/api/v1/never", TestSnapshot.Basic));

        var last = await client.ReadResponseAsync();

        Assert.Equal(200, last.Status);
        Assert.True(last.Closes, last.Head);
        Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(0, client.PendingCount);
        Assert.Equal("/api/v1/last?api_key=origin-private", env.Origin.Requests.Single().RawTarget);
    }

    private static string QuotaPart(WireResponse response)
    {
        var limits = response.Header("RateLimit")!;
        return limits[limits.IndexOf("\"quota\"", StringComparison.Ordinal)..];
    }

    private static string? ProblemType(WireResponse response) => ProblemMember(response, "type");

    private static string? ProblemMember(WireResponse response, string name)
    {
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        using var json = JsonDocument.Parse(response.Body);
        return json.RootElement.GetProperty(name).GetString();
    }

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
