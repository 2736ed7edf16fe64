using System.Text;
using EdgeFence.Edge.Proxy.Inbound;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>The fast path's request-head parser, rule by rule, whole and fed in pieces.</summary>
public sealed class RequestHeadParserTests
{
    private static (RequestHeadStatus Status, RequestHead Head) Parse(string text) => Parse(Encoding.Latin1.GetBytes(text));

    private static (RequestHeadStatus Status, RequestHead Head) Parse(byte[] bytes)
    {
        var head = new RequestHead();
        head.Reset();
        return (RequestHeadParser.Parse(bytes, head), head);
    }

    private static string Text(byte[] bytes, int start, int length) => Encoding.Latin1.GetString(bytes, start, length);

    [Fact]
    public void A_valid_head_is_read_as_offsets_with_its_framing()
    {
        var bytes = Encoding.ASCII.GetBytes("POST /api/v1/items?q=1 HTTP/1.1\r\nHost: shop.example:8080\r\nX-Api-Key:  ef_abc \t\r\nContent-Length: 42\r\nExpect: 100-continue\r\nX-Empty:\r\n\r\nBODY");
        var (status, head) = Parse(bytes);

        Assert.Equal(RequestHeadStatus.Complete, status);
        Assert.Equal(bytes.Length - 4, head.HeadLength);
        Assert.Equal("POST", Text(bytes, 0, head.MethodLength));
        Assert.Equal("/api/v1/items?q=1", Text(bytes, head.TargetStart, head.TargetLength));
        Assert.Equal(11, head.Version);
        Assert.Equal(42, head.ContentLength);
        Assert.False(head.Chunked);
        Assert.True(head.KeepAlive);
        Assert.True(head.ExpectContinue);
        Assert.Equal(5, head.HeaderCount);
        var host = head.Header(head.HostIndex);
        Assert.Equal("Host", Text(bytes, host.NameStart, host.NameLength));
        Assert.Equal("shop.example:8080", Text(bytes, host.ValueStart, host.ValueLength));
        var key = head.Header(1);
        Assert.Equal("ef_abc", Text(bytes, key.ValueStart, key.ValueLength));
        Assert.Equal(0, head.Header(4).ValueLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => head.Header(5));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false)]
    public void Keep_alive_follows_the_version_and_the_connection_options(string text, bool keepAlive)
    {
        var (status, head) = Parse(text);
        Assert.Equal(RequestHeadStatus.Complete, status);
        Assert.Equal(keepAlive, head.KeepAlive);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n", 400, "bare LF")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\n", 400, "bare LF")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400, "invalid header value")]
    [InlineData("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n  folded\r\n\r\n", 400, "obs-fold")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n", 400, "invalid header name")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400, "invalid header name")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, "invalid header name")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0001c\r\n\r\n", 400, "invalid header value")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u007fc\r\n\r\n", 400, "invalid header value")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: caf\u00e9\r\n\r\n", 400, "invalid header value")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", 400, "invalid header value")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400, "duplicate Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9999999999999999999\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both Content-Length and Transfer-Encoding")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, "both Content-Length and Transfer-Encoding")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400, "transfer coding other than a single chunked")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "transfer coding other than a single chunked")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 400, "transfer coding other than a single chunked")]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "chunked in HTTP/1.0")]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400, "missing Host")]
    [InlineData("POST / HTTP/1.0\r\n\r\n", 400, "HTTP/1.0 body without Content-Length")]
    [InlineData("PUT /a HTTP/1.0\r\nHost: a\r\n\r\n", 400, "HTTP/1.0 body without Content-Length")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "duplicate Host")]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "invalid Host")]
    [InlineData("GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", 400, "invalid Host")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:port\r\n\r\n", 400, "invalid Host")]
    [InlineData("GET / HTTP/1.1\r\nHost:\r\n\r\n", 400, "invalid Host")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:\r\n\r\n", 400, "invalid Host")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:1234567\r\n\r\n", 400, "invalid Host")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", 417, "unsupported expectation")]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request line")]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "invalid HTTP version")]
    [InlineData("GET /\r\nHost: a\r\n\r\n", 400, "invalid request line")]
    [InlineData(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid method")]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid method")]
    [InlineData("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid method")]
    [InlineData("GET /a\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target")]
    [InlineData("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target")]
    [InlineData("GET foo HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target")]
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "invalid HTTP version")]
    [InlineData("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "HTTP version not supported")]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP version not supported")]
    public void What_would_need_a_guess_is_refused(string text, int status, string reason)
    {
        var (result, head) = Parse(text);
        Assert.Equal(RequestHeadStatus.Invalid, result);
        Assert.Equal(status, head.ErrorStatus);
        Assert.Equal(reason, head.Reason);
    }

    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")]
    public void Valid_http_the_fast_path_does_not_serve_is_handed_to_kestrel(string text)
        => Assert.Equal(RequestHeadStatus.HandOff, Parse(text).Status);

    [Fact]
    public void Limits_refuse_long_lines_long_heads_and_too_many_headers()
    {
        var longTarget = Parse("GET /" + new string('a', RequestHeadParser.MaxRequestLineBytes) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal((RequestHeadStatus.Invalid, 414), (longTarget.Status, longTarget.Head.ErrorStatus));

        // Refused as soon as the limit is passed, without waiting for a line end that never comes.
        var endless = Parse("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + new string('b', RequestHeadParser.MaxHeadBytes));
        Assert.Equal((RequestHeadStatus.Invalid, 431), (endless.Status, endless.Head.ErrorStatus));

        var many = Parse("GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, RequestHeadParser.MaxHeaderCount).Select(i => $"X-{i}: v\r\n")) + "\r\n");
        Assert.Equal((RequestHeadStatus.Invalid, 431, "too many headers"), (many.Status, many.Head.ErrorStatus, many.Head.Reason));

        var exactly = Parse("GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, RequestHeadParser.MaxHeaderCount - 1).Select(i => $"X-{i}: v\r\n")) + "\r\n");
        Assert.Equal(RequestHeadStatus.Complete, exactly.Status);
    }

    [Theory]
    [InlineData("GET /a/b?c=d HTTP/1.1\r\nHost: a.example\r\nAuthorization: Bearer x\r\nTransfer-Encoding: Chunked\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: b\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    public void Bytes_arriving_in_pieces_give_the_same_result_as_all_at_once(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var (whole, wholeHead) = Parse(bytes);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var head = new RequestHead();
            head.Reset();
            var first = RequestHeadParser.Parse(bytes.AsSpan(0, split), head);
            var result = first == RequestHeadStatus.Incomplete ? RequestHeadParser.Parse(bytes, head) : first;
            Assert.Equal((whole, wholeHead.ErrorStatus, wholeHead.HeadLength, wholeHead.HeaderCount), (result, head.ErrorStatus, head.HeadLength, head.HeaderCount));
        }

        // One byte at a time.
        var slow = new RequestHead();
        slow.Reset();
        var status = RequestHeadStatus.Incomplete;
        for (var n = 0; n <= bytes.Length && status == RequestHeadStatus.Incomplete; n++)
        {
            status = RequestHeadParser.Parse(bytes.AsSpan(0, n), slow);
        }

        Assert.Equal((whole, wholeHead.HeadLength), (status, slow.HeadLength));
    }

    [Fact]
    public void A_reused_head_parses_the_next_request_from_scratch_and_allocates_nothing()
    {
        var first = Encoding.ASCII.GetBytes("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\n");
        var second = Encoding.ASCII.GetBytes("GET /bb HTTP/1.1\r\nHost: b\r\n\r\n");
        var head = new RequestHead();
        head.Reset();
        Assert.Equal(RequestHeadStatus.Complete, RequestHeadParser.Parse(first, head));

        head.Reset();
        Assert.Equal(RequestHeadStatus.Complete, RequestHeadParser.Parse(second, head));
        Assert.Equal((-1L, true, 1, 3), (head.ContentLength, head.KeepAlive, head.HeaderCount, head.TargetLength));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            head.Reset();
            RequestHeadParser.Parse(first, head);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
