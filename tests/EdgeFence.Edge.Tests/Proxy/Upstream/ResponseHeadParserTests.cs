using System.Buffers;
using System.Text;
using EdgeFence.Edge.Proxy.Upstream;

namespace EdgeFence.Edge.Tests.Proxy.Upstream;

public sealed class ResponseHeadParserTests
{
    private struct Recorder : IResponseHeaderHandler
    {
        public List<(string Name, string Value)> Headers;
        public int Status;

        public void OnStatusLine(int status) => Status = status;

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => (Headers ??= []).Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
    }

    private static (bool Done, ResponseHead Head, Recorder Recorder) Parse(string text)
    {
        var recorder = new Recorder { Headers = [] };
        var buffer = new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text));
        var done = ResponseHeadParser.TryParse(buffer, ref recorder, out var head);
        return (done, head, recorder);
    }

    [Fact]
    public void Valid_head_yields_status_framing_and_trimmed_headers()
    {
        const string text = "HTTP/1.1 201 Created\r\nContent-Length: 12\r\nX-A:  spaced value \t\r\nConnection: keep-alive\r\n\r\nbody...";
        var (done, head, recorder) = Parse(text);

        Assert.True(done);
        Assert.Equal(201, head.Status);
        Assert.Equal(201, recorder.Status);
        Assert.Equal(12, head.ContentLength);
        Assert.Equal(text.IndexOf("body", StringComparison.Ordinal), head.HeadLength);
        Assert.Equal(ResponseFraming.ContentLength, head.Framing(isHead: false));
        Assert.Equal(ResponseFraming.None, head.Framing(isHead: true));
        Assert.True(head.AllowsReuse(isHead: false));
        Assert.Contains(("X-A", "spaced value"), recorder.Headers);
    }

    [Fact]
    public void Head_split_at_every_position_parses_only_when_complete_and_the_same_way()
    {
        const string text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-B: b\r\n\r\n";
        var bytes = Encoding.Latin1.GetBytes(text);
        for (var split = 1; split < bytes.Length; split++)
        {
            var recorder = new Recorder { Headers = [] };
            Assert.False(ResponseHeadParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, split), ref recorder, out _));
            Assert.Empty(recorder.Headers);

            var first = new Segment(bytes.AsMemory(0, split));
            var last = first.Append(bytes.AsMemory(split));
            Assert.True(ResponseHeadParser.TryParse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), ref recorder, out var head));
            Assert.True(head.Chunked);
            Assert.Equal(bytes.Length, head.HeadLength);
            Assert.Equal([("Transfer-Encoding", "chunked"), ("X-B", "b")], recorder.Headers);
        }
    }

    [Fact]
    public void No_framing_header_means_close_delimited_and_no_reuse()
    {
        var (_, head, _) = Parse("HTTP/1.1 200 OK\r\n\r\n");
        Assert.Equal(ResponseFraming.CloseDelimited, head.Framing(isHead: false));
        Assert.False(head.AllowsReuse(isHead: false));
    }

    [Fact]
    public void Http10_response_is_reused_only_with_keep_alive_and_connection_close_never()
    {
        Assert.False(Parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").Head.AllowsReuse(false));
        Assert.True(Parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n").Head.AllowsReuse(false));
        Assert.False(Parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: x, close\r\n\r\n").Head.AllowsReuse(false));
    }

    [Fact]
    public void Repeated_equal_content_length_is_accepted()
    {
        Assert.Equal(5, Parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\n").Head.ContentLength);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A : a\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX A: a\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n: a\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\rX-B: b\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\u007Fb\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 0\n\n")]
    [InlineData("HTTP/2 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.2 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("HTTP/1.1 600 High\r\n\r\n")]
    [InlineData("HTTP/1.1  200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200\tOK\r\n\r\n")]
    [InlineData("http/1.1 200 OK\r\n\r\n")]
    [InlineData("garbage\r\n\r\n")]
    public void Ambiguous_or_malformed_head_is_refused(string text)
    {
        Assert.Throws<OriginProtocolException>(() => Parse(text));
    }

    [Fact]
    public void Head_over_the_limit_is_refused_complete_or_not()
    {
        var big = "HTTP/1.1 200 OK\r\nX-Big: " + new string('a', UpstreamLimits.MaxResponseHeadBytes) + "\r\n";
        Assert.Throws<OriginProtocolException>(() => Parse(big));
        Assert.Throws<OriginProtocolException>(() => Parse(big + "\r\n"));
    }

    [Fact]
    public void Status_line_without_a_reason_phrase_is_accepted()
    {
        Assert.Equal(204, Parse("HTTP/1.1 204\r\n\r\n").Head.Status);
        Assert.Equal(204, Parse("HTTP/1.1 204 \r\n\r\n").Head.Status);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
