using System.Collections.Concurrent;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>
/// Enforces the fast path's deadlines (<see cref="InboundConnection.Tick"/>) once a second for every open
/// connection, the way Kestrel's own heartbeat does: the request path only writes a deadline (a field), so it pays
/// no timer per read or request.
/// </summary>
internal sealed class InboundHeartbeat : IDisposable
{
    private readonly ConcurrentDictionary<InboundConnection, byte> _connections = new();
    private readonly Timer _timer;

    public InboundHeartbeat()
    {
        _timer = new Timer(static state => ((InboundHeartbeat)state!).Beat(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Add(InboundConnection connection) => _connections.TryAdd(connection, 0);

    public void Remove(InboundConnection connection) => _connections.TryRemove(connection, out _);

    public void Dispose() => _timer.Dispose();

    private void Beat()
    {
        var now = Environment.TickCount64;
        foreach (var connection in _connections.Keys)
        {
            connection.Tick(now);
        }
    }
}
