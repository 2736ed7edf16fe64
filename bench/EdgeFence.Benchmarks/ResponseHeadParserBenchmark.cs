using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeFence.Edge.Proxy.Upstream;

namespace EdgeFence.Benchmarks;

/// <summary>
/// The pipelines engine's response head parser on a typical origin response head (status line and eight
/// headers), with a handler that only counts, so the figure is the parser's alone. Allocates nothing.
/// </summary>
[MemoryDiagnoser]
public class ResponseHeadParserBenchmark
{
    private static readonly ReadOnlySequence<byte> s_typical = new(Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\n" +
        "Date: Wed, 02 Dec 2026 16:00:00 GMT\r\n" +
        "Server: Kestrel\r\n" +
        "Content-Type: application/json; charset=utf-8\r\n" +
        "Content-Length: 27\r\n" +
        "Cache-Control: no-store\r\n" +
        "X-Request-Id: 6f1c2a9e8b7d4c3f\r\n" +
        "Vary: Accept-Encoding\r\n" +
        "Connection: keep-alive\r\n" +
        "\r\n" +
        "{\"items\":[1,2,3],\"ok\":true}"));

    private static readonly ReadOnlySequence<byte> s_chunked = new(Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));

    [Benchmark(Baseline = true)]
    public int TypicalHead()
    {
        var counter = default(CountingHandler);
        ResponseHeadParser.TryParse(s_typical, ref counter, out var head);
        return head.HeadLength + counter.Count;
    }

    [Benchmark]
    public int ChunkedHead()
    {
        var counter = default(CountingHandler);
        ResponseHeadParser.TryParse(s_chunked, ref counter, out var head);
        return head.HeadLength + counter.Count;
    }

    private struct CountingHandler : IResponseHeaderHandler
    {
        public int Count;

        public void OnStatusLine(int status) => Count += status;

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Count += name.Length + value.Length;
    }
}
