using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeFence.Edge.Proxy.Upstream;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Proxy.Upstream;

/// <summary>
/// The pipelines engine against a raw-socket origin that writes exact bytes: every framing case, the
/// connection reuse rules, the idle-reuse race, timeouts and aborts. A real edge on loopback in front, with the
/// requests read by Kestrel's HTTP layer (<see cref="UpstreamForwarderTestsBehindKestrel"/>) and by the fast path
/// (<see cref="UpstreamForwarderTestsOnFastPath"/>), which share the engine's reading of an origin.
/// </summary>
public abstract class UpstreamForwarderTests
{
    /// <summary><c>EdgeFence:FastPath</c>.</summary>
    protected abstract bool FastPath { get; }

    private async Task<(RawOrigin Origin, EdgeHost Edge)> StartAsync(Func<RawOriginRequest, RawReply> respond, params string[] extraArgs)
    {
        var origin = RawOrigin.Start(respond);
        var edge = await EdgeHost.StartAsync(TestSnapshot.Create(origin.Url), ["--EdgeFence:Upstream=pipelines", $"--EdgeFence:FastPath={FastPath}", .. extraArgs]);
        return (origin, edge);
    }

    [Fact]
    public async Task Chunked_response_is_decoded_and_streamed_to_the_client()
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Origin: raw\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: dropped\r\n\r\n"));
        await using (origin)
        await using (edge)
        {
            using var first = await edge.GetAsync("/public/a");
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("hello world", await first.Content.ReadAsStringAsync());
            Assert.Equal("raw", first.Headers.GetValues("X-Origin").Single());

            using var second = await edge.GetAsync("/public/b");
            Assert.Equal("hello world", await second.Content.ReadAsStringAsync());
            Assert.Equal(1, origin.Connections);
        }
    }

    [Fact]
    public async Task Close_delimited_response_is_read_to_the_origin_close_and_the_connection_is_not_reused()
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Of("HTTP/1.1 200 OK\r\nX-Origin: raw\r\n\r\nuntil the end") with { Close = true });
        await using (origin)
        await using (edge)
        {
            using var first = await edge.GetAsync("/public/a");
            Assert.Equal("until the end", await first.Content.ReadAsStringAsync());
            using var second = await edge.GetAsync("/public/b");
            Assert.Equal("until the end", await second.Content.ReadAsStringAsync());
            Assert.Equal(2, origin.Connections);
        }
    }

    [Fact]
    public async Task Content_length_response_keeps_the_connection_and_head_gets_no_body()
    {
        var (origin, edge) = await StartAsync(r => r.Head.StartsWith("HEAD", StringComparison.Ordinal)
            ? RawReply.Of("HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-Origin: raw\r\n\r\n")
            : RawReply.Ok("hello world"));
        await using (origin)
        await using (edge)
        {
            using var head = await edge.SendAsync(HttpMethod.Head, "/public/a");
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(11, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());

            using var get = await edge.GetAsync("/public/a");
            Assert.Equal("hello world", await get.Content.ReadAsStringAsync());
            Assert.Equal(1, origin.Connections);
        }
    }

    [Fact]
    public async Task Interim_responses_are_skipped_and_their_headers_dropped()
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        await using (origin)
        await using (edge)
        {
            using var response = await edge.GetAsync("/public/a");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.Contains("Link"));
        }
    }

    [Fact]
    public async Task Connection_close_and_the_headers_it_names_are_not_forwarded_and_the_connection_is_not_reused()
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Of("HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nok"));
        await using (origin)
        await using (edge)
        {
            using var first = await edge.GetAsync("/public/a");
            Assert.Equal("ok", await first.Content.ReadAsStringAsync());
            Assert.False(first.Headers.Contains("X-Hop"));
            Assert.False(first.Headers.Contains("Keep-Alive"));
            Assert.Equal("yes", first.Headers.GetValues("X-Kept").Single());

            using var second = await edge.GetAsync("/public/b");
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal(2, origin.Connections);
            Assert.True(await RawOrigin.EventuallyAsync(() => origin.ClosedByEdge >= 1));
        }
    }

    [Fact]
    public async Task Request_head_is_one_host_the_clients_headers_minus_hop_by_hop_then_the_edges()
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Ok());
        await using (origin)
        await using (edge)
        {
            var (status, _) = await RawHttp.SendAsync(edge.PublicUrl,
                $"GET /public/a?x=1 HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nConnection: X-Named\r\nX-Named: drop\r\nKeep-Alive: 5\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\nX-Client: kept\r\nX-EdgeFence-Plan: forged\r\nX-Forwarded-For: 203.0.113.9\r\nContent-Length: 0\r\n\r\n");
            Assert.Equal(200, status);
            var seen = Assert.Single(origin.Requests);
            var lines = seen.Head.Split("\r\n");
            Assert.StartsWith("GET /public/a?x=1&api_key=origin-private HTTP/1.1", lines[0], StringComparison.Ordinal);
            Assert.Equal(TestSnapshot.SiteHost, Assert.Single(lines, l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))[6..]);
            foreach (var dropped in (string[])["Connection", "X-Named", "Keep-Alive", "TE", "Proxy-Connection", "X-EdgeFence-Plan", "Transfer-Encoding"])
            {
                Assert.False(seen.HasHeader(dropped), dropped + " in " + seen.Head);
            }

            Assert.True(seen.HasHeaderLine("X-Client: kept"));
            Assert.True(seen.HasHeaderLine("X-Origin-Secret: s3cret"));
            Assert.True(seen.HasHeaderLine("X-Forwarded-For: 203.0.113.9, 127.0.0.1"));
            Assert.True(seen.HasHeader("X-EdgeFence-Signature"));
        }
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nok\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A : a\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")]
    [InlineData("SMTP ready\r\n\r\n")]
    public async Task Misframed_response_gets_502_and_the_origin_connection_is_dropped(string reply)
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Of(reply));
        await using (origin)
        await using (edge)
        {
            using var response = await edge.GetAsync("/public/a");
            await ProxyTests.AssertProblem(response, HttpStatusCode.BadGateway, "origin-unreachable");
            Assert.True(await RawOrigin.EventuallyAsync(() => origin.ClosedByEdge == 1));

            using var again = await edge.GetAsync("/public/a");
            Assert.Equal(HttpStatusCode.BadGateway, again.StatusCode);
            Assert.Equal(2, origin.Connections);
        }
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")]
    public async Task Bytes_after_the_end_of_a_response_are_never_read_as_the_next_response(string reply)
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Of(reply));
        await using (origin)
        await using (edge)
        {
            using var first = await edge.GetAsync("/public/a");
            Assert.Equal("ok", await first.Content.ReadAsStringAsync());
            using var second = await edge.GetAsync("/public/b");
            Assert.Equal("ok", await second.Content.ReadAsStringAsync());
            Assert.Equal(2, origin.Connections);
        }
    }

    [Fact]
    public async Task Header_block_over_the_limit_gets_502_and_the_connection_is_dropped()
    {
        var huge = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-Filler-{i}: {new string('a', 1000)}\r\n")) + "Content-Length: 2\r\n\r\nok";
        var (origin, edge) = await StartAsync(_ => RawReply.Of(huge));
        await using (origin)
        await using (edge)
        {
            using var response = await edge.GetAsync("/public/a");
            await ProxyTests.AssertProblem(response, HttpStatusCode.BadGateway, "origin-unreachable");
            Assert.True(await RawOrigin.EventuallyAsync(() => origin.ClosedByEdge == 1));
        }
    }

    [Fact]
    public async Task Body_shorter_than_its_content_length_aborts_the_client_response()
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Of("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this") with { Close = true });
        await using (origin)
        await using (edge)
        {
            // The edge may already have committed the 200 (then the body is cut) or not (then the connection
            // is reset): either way the client never sees a complete-looking response.
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                using var response = await edge.Public.SendAsync(Get("/public/a"), HttpCompletionOption.ResponseHeadersRead);
                await response.Content.ReadAsByteArrayAsync();
            });
        }
    }

    [Fact]
    public async Task Stale_pooled_connection_is_retried_once_on_a_fresh_connection_for_a_get()
    {
        // The origin closes each connection shortly after answering, without saying so: the idle-close race.
        var (origin, edge) = await StartAsync(_ => RawReply.Ok() with { CloseAfter = TimeSpan.FromMilliseconds(200) });
        await using (origin)
        await using (edge)
        {
            using var first = await edge.GetAsync("/public/a");
            Assert.Equal("ok", await first.Content.ReadAsStringAsync());
            Assert.True(await RawOrigin.EventuallyAsync(() => origin.ClosedByOrigin == 1));
            await Task.Delay(100);

            using var second = await edge.GetAsync("/public/b");
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("ok", await second.Content.ReadAsStringAsync());
            Assert.Equal(2, origin.Connections);
            Assert.Equal(2, origin.Requests.Count);
        }
    }

    [Fact]
    public async Task Stale_pooled_connection_is_never_used_for_a_post_with_a_body()
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Ok() with { CloseAfter = TimeSpan.FromMilliseconds(200) });
        await using (origin)
        await using (edge)
        {
            using var first = await edge.GetAsync("/public/a");
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.True(await RawOrigin.EventuallyAsync(() => origin.ClosedByOrigin == 1));
            await Task.Delay(100);

            using var post = await edge.SendAsync(HttpMethod.Post, "/public/b", edit: r => r.Content = new StringContent("payload"));
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            var posted = Assert.Single(origin.Requests, r => r.Head.StartsWith("POST", StringComparison.Ordinal));
            Assert.Equal("payload", Encoding.UTF8.GetString(posted.Body));
            Assert.Equal(2, posted.Connection);
        }
    }

    [Fact]
    public async Task Post_the_origin_dropped_without_answering_is_not_resent()
    {
        var (origin, edge) = await StartAsync(r => r.Index == 0 ? RawReply.Ok() : new RawReply([]) { Close = true });
        await using (origin)
        await using (edge)
        {
            using var first = await edge.GetAsync("/public/a");
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

            using var post = await edge.SendAsync(HttpMethod.Post, "/public/b", edit: r => r.Content = new StringContent("once"));
            await ProxyTests.AssertProblem(post, HttpStatusCode.BadGateway, "origin-unreachable");
            Assert.Single(origin.Requests, r => r.Head.StartsWith("POST", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Origin_stalling_mid_body_times_out_and_aborts_the_client_response()
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Of("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial") with { Stall = true }, "--EdgeFence:OriginTimeoutSeconds=1");
        await using (origin)
        await using (edge)
        {
            using var response = await edge.Public.SendAsync(Get("/public/a"), HttpCompletionOption.ResponseHeadersRead);
            await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync());
            Assert.True(await RawOrigin.EventuallyAsync(() => origin.ClosedByEdge == 1));
        }
    }

    [Fact]
    public async Task Client_abort_closes_the_origin_connection()
    {
        var (origin, edge) = await StartAsync(_ => new RawReply([]) { Stall = true });
        await using (origin)
        await using (edge)
        {
            var uri = new Uri(edge.PublicUrl);
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(uri.Host, uri.Port);
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"GET /public/a HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\n\r\n"));
                Assert.True(await RawOrigin.EventuallyAsync(() => origin.Requests.Count == 1));
            }

            Assert.True(await RawOrigin.EventuallyAsync(() => origin.ClosedByEdge == 1));
        }
    }

    [Fact]
    public async Task Chunked_request_body_is_forwarded_chunked_and_byte_exact()
    {
        var (origin, edge) = await StartAsync(_ => RawReply.Ok());
        await using (origin)
        await using (edge)
        {
            var payload = new byte[200_000];
            new Random(7).NextBytes(payload);
            using var response = await edge.SendAsync(HttpMethod.Post, "/public/upload", edit: r =>
            {
                r.Content = new StreamContent(new MemoryStream(payload));
                r.Headers.TransferEncodingChunked = true;
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var seen = Assert.Single(origin.Requests);
            Assert.True(seen.HasHeaderLine("Transfer-Encoding: chunked"));
            Assert.False(seen.HasHeader("Content-Length"));
            Assert.Equal(payload, seen.Body);
        }
    }

    [Fact]
    public void Origin_on_a_tls_url_is_left_to_yarp()
    {
        Assert.Null(OriginAddress.TryCreate("https://127.0.0.1:1"));
        Assert.Equal("127.0.0.1:8080", OriginAddress.TryCreate("http://127.0.0.1:8080/base")!.Authority);
        Assert.Equal("[::1]:81", OriginAddress.TryCreate("http://[::1]:81")!.Authority);
    }

    private static HttpRequestMessage Get(string target)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Host = TestSnapshot.SiteHost;
        return request;
    }
}
