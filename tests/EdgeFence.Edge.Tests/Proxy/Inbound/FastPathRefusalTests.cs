using EdgeFence.Core.Security;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>
/// What the fast path answers on the wire when it refuses: a HEAD (head only, the next pipelined response right after
/// it), a refused request whose body it does not read, and heads it will not read (handed to Kestrel's stack, which
/// answers 4xx). Where both HTTP layers should agree, the same test runs with <c>EdgeFence:FastPath</c> on and off.
/// </summary>
public sealed class FastPathRefusalTests
{
    // Headers that may differ between two answers to the same refusal: per request, or the framing of the body.
    private static readonly string[] s_perResponse = [RequestSigner.RequestIdHeader, "Date", "Content-Length", "Transfer-Encoding"];

    private static string[] Args(bool fastPath) => ["--EdgeFence:Upstream=pipelines", $"--EdgeFence:FastPath={fastPath}"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refused_head_gets_the_status_and_headers_of_the_refused_get_and_no_body(bool fastPath)
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Head("/api/v1/items") + WireRequest.Get("/api/v1/items") + WireRequest.Get("/public/after"));

        // A body after the HEAD's head would be read as the next response's status line, and fail.
        var head = await client.ReadResponseAsync(toHead: true);
        var get = await client.ReadResponseAsync();
        var after = await client.ReadResponseAsync();

        Assert.Equal(401, head.Status);
        AssertSameRefusal(get, head);
        Assert.Equal(200, after.Status);
        Assert.DoesNotContain(env.Origin.Requests, r => r.RawTarget.StartsWith("/api/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rate_limited_head_gets_the_429_of_the_rate_limited_get_and_no_body(bool fastPath)
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(WireRequest.Get("/api/v1/items", TestSnapshot.Rate));
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }

        await client.SendAsync(WireRequest.Head("/api/v1/items", TestSnapshot.Rate) + WireRequest.Get("/api/v1/items", TestSnapshot.Rate) + WireRequest.Get("/public/after"));
        var head = await client.ReadResponseAsync(toHead: true);
        var get = await client.ReadResponseAsync();
        var after = await client.ReadResponseAsync();

        Assert.Equal(429, head.Status);
        Assert.Matches("^\"rate\";r=0;t=[0-9]+$", head.Header("RateLimit"));
        Assert.InRange(int.Parse(head.Header("Retry-After")!), 1, 120);
        AssertSameRefusal(get, head);
        Assert.Equal(200, after.Status);
        Assert.Equal(3, env.Origin.Requests.Count(r => r.RawTarget.StartsWith("/api/", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("missing token", null, TestSnapshot.SiteHost, "/api/v1/items", 401)]
    [InlineData("revoked token", TestSnapshot.Revoked, TestSnapshot.SiteHost, "/api/v1/items", 403)]
    [InlineData("method not allowed", TestSnapshot.Basic, TestSnapshot.SiteHost, "/v1/chat/completions", 405)]
    [InlineData("deny by default", null, "edge.example", "/other/free/thing", 404)]
    public async Task Refusals_carry_the_same_headers_on_both_http_layers(string what, string? token, string host, string target, int status)
    {
        var answers = new List<WireResponse>();
        foreach (var fastPath in (bool[])[true, false])
        {
            await using var env = await TestEnvironment.StartAsync(Args(fastPath));
            await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
            await client.SendAsync(WireRequest.Of("GET", target, token, "", host));
            answers.Add(await client.ReadResponseAsync());
        }

        var (fast, kestrel) = (answers[0], answers[1]);
        Assert.True(status == fast.Status, what);
        Assert.Equal(kestrel.Status, fast.Status);
        Assert.Equal(Names(kestrel.Headers, except: ["Content-Length", "Transfer-Encoding"]), Names(fast.Headers, except: ["Content-Length", "Transfer-Encoding"]));
        Assert.Equal(kestrel.BodyText.Replace(kestrel.Header(RequestSigner.RequestIdHeader)!, "id", StringComparison.Ordinal),
            fast.BodyText.Replace(fast.Header(RequestSigner.RequestIdHeader)!, "id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refused_request_with_an_unread_body_is_answered_with_connection_close_and_the_connection_closes()
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Post("/api/v1/items", "{\"a\":1}") + WireRequest.Get("/public/never"));

        var refused = await client.ReadResponseAsync();

        Assert.Equal(401, refused.Status);
        Assert.True(refused.Closes, refused.Head);
        Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(15)), "the connection stayed open after a refused body");
        Assert.Equal(0, client.PendingCount);
        Assert.Empty(env.Origin.Requests);
    }

    [Fact]
    public async Task Refused_request_with_an_empty_body_keeps_the_connection()
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Post("/api/v1/items", "") + WireRequest.Get("/public/next"));

        var refused = await client.ReadResponseAsync();
        var next = await client.ReadResponseAsync();

        Assert.Equal(401, refused.Status);
        Assert.False(refused.Closes, refused.Head);
        Assert.Equal(200, next.Status);
        Assert.Equal("/public/next?api_key=origin-private", env.Origin.Requests.Single().RawTarget);
    }

    [Fact]
    public async Task Client_connection_close_is_honoured_after_a_refusal()
    {
        await using var env = await TestEnvironment.StartAsync(Args(fastPath: true));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Get("/api/v1/items", extra: "Connection: close\r\n") + WireRequest.Get("/public/never"));

        var refused = await client.ReadResponseAsync();

        Assert.Equal(401, refused.Status);
        Assert.True(refused.Closes, refused.Head);
        Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(0, client.PendingCount);
    }

    public static TheoryData<string, string> MalformedHeads => new()
    {
        { "bare LF", $"GET /public/x HTTP/1.1\nHost: {TestSnapshot.SiteHost}\n\n" },
        { "bare LF in a header", $"GET /public/x HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nX-A: b\n\r\n" },
        { "obs-fold", $"GET /public/x HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nX-A: b\r\n c\r\n\r\n" },
        { "CL and TE", $"POST /public/upload HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" },
        { "two Content-Length", $"POST /public/upload HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab" },
        { "space before colon", $"GET /public/x HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nX-A : b\r\n\r\n" },
        { "control character", $"GET /public/x HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nX-A: b\u0001c\r\n\r\n" },
        { "missing Host", "GET /public/x HTTP/1.1\r\nX-A: b\r\n\r\n" },
        { "head over the size limit", $"GET /public/x HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nX-Big: {new string('a', 40_000)}\r\n\r\n" },
        { "request line over the size limit", $"GET /public/{new string('a', 9_000)} HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeads))]
    public async Task Malformed_head_after_a_served_request_gets_kestrels_refusal_and_never_reaches_the_origin(string what, string head)
    {
        var statuses = new List<int>();
        foreach (var fastPath in (bool[])[true, false])
        {
            await using var env = await TestEnvironment.StartAsync(Args(fastPath));
            await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
            await client.SendAsync(WireRequest.Get("/public/first"));
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);

            await client.SendAsync(head);
            var refused = await client.ReadResponseAsync();
            statuses.Add(refused.Status);

            Assert.True(refused.Status is >= 400 and < 500, $"{what}: {refused.Status}");
            Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(15)), $"{what}: the connection stayed open");
            Assert.Equal("/public/first?api_key=origin-private", env.Origin.Requests.Single().RawTarget);
        }

        // The same refusal whichever HTTP layer read the connection first.
        Assert.Equal(statuses[1], statuses[0]);
    }

    private static void AssertSameRefusal(WireResponse get, WireResponse head)
    {
        Assert.Equal(get.Status, head.Status);
        Assert.Equal(Names(get.Headers, s_perResponse), Names(head.Headers, s_perResponse));
        foreach (var (name, value) in get.Headers)
        {
            if (!s_perResponse.Contains(name, StringComparer.OrdinalIgnoreCase) && name != "RateLimit" && name != "Retry-After")
            {
                Assert.Equal(value, head.Header(name));
            }
        }

        // The length of the body GET got, or none.
        if (head.Header("Content-Length") is { } length)
        {
            Assert.Equal(get.Body.Length, int.Parse(length));
        }

        Assert.NotEqual(get.Header(RequestSigner.RequestIdHeader), head.Header(RequestSigner.RequestIdHeader));
    }

    private static string[] Names(IEnumerable<KeyValuePair<string, string>> headers, string[] except)
        => [.. headers.Select(h => h.Key.ToLowerInvariant()).Where(n => !except.Contains(n, StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)];
}
