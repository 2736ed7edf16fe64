using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// Keep-alive connections to one origin: a lock-protected stack of idle connections (the freshest on top,
/// so the stalest age out at the bottom), at most <see cref="UpstreamLimits.MaxIdlePerOrigin"/> idle and
/// <see cref="UpstreamLimits.MaxConnectionsPerOrigin"/> open.
/// </summary>
internal sealed class OriginPool : IAsyncDisposable
{
    private readonly OriginConnection?[] _idle = new OriginConnection?[UpstreamLimits.MaxIdlePerOrigin];
    private readonly SemaphoreSlim _open = new(UpstreamLimits.MaxConnectionsPerOrigin, UpstreamLimits.MaxConnectionsPerOrigin);
    private readonly Lock _lock = new();
    private readonly long _idleTicks;
    private int _count;
    private bool _disposed;

    public OriginPool(OriginAddress address, TimeSpan idleTimeout)
    {
        Address = address;
        _idleTicks = (long)(idleTimeout.TotalSeconds * Stopwatch.Frequency);
    }

    public OriginAddress Address { get; }

    /// <summary>The freshest idle connection that has not timed out, or null.</summary>
    public OriginConnection? TakeIdle()
    {
        var now = Stopwatch.GetTimestamp();
        OriginConnection? stale = null;
        OriginConnection? found = null;
        lock (_lock)
        {
            if (_count > 0)
            {
                var top = _idle[--_count]!;
                _idle[_count] = null;
                if (now - top.IdleSince < _idleTicks)
                {
                    found = top;
                }
                else
                {
                    // The top is the freshest: when it has timed out every one below it has too.
                    stale = top;
                    DropAllLocked();
                }
            }
        }

        if (stale is not null)
        {
            _ = stale.DisposeAsync();
        }

        return found;
    }

    /// <summary>Opens a new connection, waiting for a free slot under the per-origin bound; throws on failure or timeout.</summary>
    public async Task<OriginConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(UpstreamLimits.ConnectTimeout);
        try
        {
            await _open.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SocketException((int)SocketError.TooManyOpenSockets, "no free connection to the origin within the connect timeout");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(Address.Host, Address.Port), timeout.Token).ConfigureAwait(false);
            return new OriginConnection(this, socket);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            _open.Release();
            throw new SocketException((int)SocketError.TimedOut, "connect to the origin timed out");
        }
        catch
        {
            socket.Dispose();
            _open.Release();
            throw;
        }
    }

    /// <summary>Takes a connection back after a response was read whole and the connection may be reused.</summary>
    public void Return(OriginConnection connection)
    {
        connection.IdleSince = Stopwatch.GetTimestamp();
        connection.Reused = true;
        lock (_lock)
        {
            if (!_disposed && _count < _idle.Length)
            {
                _idle[_count++] = connection;
                return;
            }
        }

        _ = connection.DisposeAsync();
    }

    /// <summary>Called once by each connection as it closes: frees its slot.</summary>
    public void Closed()
    {
        try
        {
            _open.Release();
        }
        catch (ObjectDisposedException)
        {
            // The pool is gone (edge shutdown); nobody waits for the slot.
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
            DropAllLocked();
        }

        return ValueTask.CompletedTask;
    }

    private void DropAllLocked()
    {
        for (var i = 0; i < _count; i++)
        {
            _ = _idle[i]!.DisposeAsync();
            _idle[i] = null;
        }

        _count = 0;
    }
}
