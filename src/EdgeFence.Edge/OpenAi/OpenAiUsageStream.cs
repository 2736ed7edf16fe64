using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.OpenAi;

/// <summary>
/// The response body as the forwarder writes it: every chunk goes to the client unchanged and at once, and is shown
/// to a <see cref="OpenAiUsageScanner"/> on the way (SSE when the origin answers <c>text/event-stream</c>, else JSON).
/// </summary>
internal sealed class OpenAiUsageStream : Stream
{
    private readonly Stream _inner;
    private readonly HttpResponse _response;

    public OpenAiUsageStream(Stream inner, HttpResponse response)
    {
        _inner = inner;
        _response = response;
    }

    /// <summary>The scanner, once the first byte was written (null for an empty body).</summary>
    public OpenAiUsageScanner? Scanner { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        See(buffer);
        _inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        See(buffer.Span);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Scanner?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void See(ReadOnlySpan<byte> chunk)
    {
        Scanner ??= new OpenAiUsageScanner(_response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
        Scanner.Feed(chunk);
    }
}
