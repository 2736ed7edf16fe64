namespace EdgeFence.Edge.Mcp;

/// <summary>
/// Holds an origin's answer in memory up to a limit, so it can be rewritten before the client sees any of it.
/// Past the limit it keeps nothing more and says so (<see cref="Overflowed"/>): the forwarder still drains the
/// origin, and the caller answers an error instead of a truncated body.
/// </summary>
internal sealed class McpAnswerCapture(int limit) : MemoryStream
{
    public bool Overflowed { get; private set; }

    public ReadOnlySpan<byte> Captured => GetBuffer().AsSpan(0, (int)Length);

    // Every write funnels into MemoryStream's array overload: its span overload calls back into the array one
    // for a derived type, so overriding both on top of each other would recurse.
    public override void Write(byte[] buffer, int offset, int count)
    {
        if (Accept(count))
        {
            base.Write(buffer, offset, count);
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Accept(buffer.Length))
        {
            base.Write(buffer.ToArray(), 0, buffer.Length);
        }
    }

    private bool Accept(int count)
    {
        Overflowed |= Length + count > limit;
        return !Overflowed;
    }

    public override void WriteByte(byte value) => Write([value], 0, 1);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }
}
