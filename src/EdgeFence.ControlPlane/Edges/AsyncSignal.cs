using System.Threading.Channels;

namespace EdgeFence.ControlPlane.Edges;

/// <summary>
/// An auto-reset event for async code: <see cref="Set"/> any number of times wakes one wait once. A channel of
/// capacity one rather than a semaphore, so repeated sets cannot pile up.
/// </summary>
internal sealed class AsyncSignal
{
    private readonly Channel<byte> _channel = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Set() => _channel.Writer.TryWrite(0);

    /// <summary>True when set (and resets it), false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_channel.Reader.TryRead(out _))
        {
            return true;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            timer.CancelAfter(timeout);
        }

        try
        {
            // WaitToReadAsync consumes nothing, so a wait given up on timeout cannot swallow a later set.
            await _channel.Reader.WaitToReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return _channel.Reader.TryRead(out _);
    }
}
