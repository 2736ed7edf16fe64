using System.Buffers;
using System.Text;
using EdgeFence.Edge.Proxy.Upstream;

namespace EdgeFence.Edge.Tests.Proxy.Upstream;

public sealed class ChunkedDecoderTests
{
    /// <summary>Feeds <paramref name="wire"/> in pieces of <paramref name="step"/> bytes, keeping unread bytes as a pipe would.</summary>
    private static (string Body, bool Done, int Left) Decode(string wire, int step)
    {
        var bytes = Encoding.Latin1.GetBytes(wire);
        var decoder = default(ChunkedDecoder);
        var body = new List<byte>();
        var pending = new List<byte>();
        for (var at = 0; at < bytes.Length && !decoder.IsDone; at += step)
        {
            pending.AddRange(bytes.AsSpan(at, Math.Min(step, bytes.Length - at)));
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([.. pending]));
            while (decoder.TryRead(ref reader, out var data))
            {
                body.AddRange(data.ToArray());
            }

            pending.RemoveRange(0, (int)reader.Consumed);
        }

        return (Encoding.Latin1.GetString([.. body]), decoder.IsDone, pending.Count);
    }

    [Fact]
    public void Chunks_with_extensions_and_trailers_decode_the_same_at_every_split()
    {
        const string wire = "5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
        for (var step = 1; step <= wire.Length; step++)
        {
            var (body, done, left) = Decode(wire, step);
            Assert.Equal("hello 0123456789", body);
            Assert.True(done);
            Assert.Equal(0, left);
        }
    }

    [Fact]
    public void Bytes_after_the_last_chunk_are_left_unread()
    {
        var (_, done, left) = Decode("0\r\n\r\nHTTP/1.1", 100);
        Assert.True(done);
        Assert.Equal(8, left);
    }

    [Theory]
    [InlineData("zz\r\n")]
    [InlineData("\r\n")]
    [InlineData("-5\r\n")]
    [InlineData("0x5\r\n")]
    [InlineData("5 \r\n")]
    [InlineData("5\n")]
    [InlineData("5\rx\r\n")]
    [InlineData("5;a\u0000b\r\n")]
    [InlineData("1000000000000000\r\n")]
    [InlineData("5\r\nhelloXX")]
    [InlineData("0\r\nbad trailer\r\n\r\n")]
    [InlineData("0\r\nX: a\n\r\n")]
    public void Invalid_chunk_framing_is_refused(string wire)
    {
        Assert.Throws<OriginProtocolException>(() => Decode(wire, wire.Length));
    }

    [Fact]
    public void Endless_chunk_extension_is_refused_at_the_line_limit()
    {
        var wire = "5;" + new string('x', UpstreamLimits.MaxChunkLineBytes);
        Assert.Throws<OriginProtocolException>(() => Decode(wire, wire.Length));
    }

    [Fact]
    public void Largest_allowed_chunk_size_parses_without_overflow()
    {
        Assert.Equal(0xFFFFFFFFFFFFFFF, ChunkedDecoder.ParseSize("FFFFFFFFFFFFFFF"u8));
    }
}
