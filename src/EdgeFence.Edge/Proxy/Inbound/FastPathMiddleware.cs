using EdgeFence.Edge.Logging;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>
/// The fast path's entry: a connection middleware in front of Kestrel's HTTP layer on the public listener
/// (EdgeFence:FastPath). Plain HTTP/1.1 is read and served here (<see cref="InboundConnection"/>); a TLS connection
/// goes straight to Kestrel's stack, and so does, from the request on that the fast path
/// does not serve, any other (HTTP/2 prior knowledge, upgrades, middleware mode, x402, MCP, ...): that request
/// unread, so Kestrel reads it as if it had had the connection from the start.
/// </summary>
internal sealed class FastPathMiddleware : IDisposable
{
    private readonly FastRequestHandler _handler;
    private readonly InboundTimeouts _timeouts;
    private readonly InboundHeartbeat _heartbeat = new();
    private readonly ILogger _logger;

    public FastPathMiddleware(FastRequestHandler handler, InboundTimeouts timeouts, ILogger logger)
    {
        _handler = handler;
        _timeouts = timeouts;
        _logger = logger;
    }

    public async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        // :: Step 1: a TLS connection (a listener configured with a certificate) is Kestrel's from the first byte: ALPN
        // may have chosen HTTP/2, and the fast path is for the plain HTTP/1.1 an edge behind a TLS-terminating load
        // balancer receives.
        if (context.Features.Get<ITlsHandshakeFeature>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // :: Step 2: serve HTTP/1.1 requests until the connection ends or one is Kestrel's.
        var connection = new InboundConnection(context, _handler, _timeouts);
        _heartbeat.Add(connection);
        bool handOff;
        try
        {
            handOff = await connection.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away mid-exchange (or was cut for a timeout): the connection just ends.
            FastPathLog.ConnectionEnded(_logger, context.ConnectionId, ex.Message);
            handOff = false;
        }
        finally
        {
            _heartbeat.Remove(connection);
        }

        // :: Step 3: the rest of the connection, from the unread request on, is Kestrel's.
        if (handOff)
        {
            if (connection.Head.Status != RequestHeadStatus.Complete)
            {
                FastPathLog.HandOff(_logger, context.ConnectionId, connection.Head.Reason ?? "a request head the fast path does not read");
            }

            await next(context).ConfigureAwait(false);
        }
    }

    public void Dispose() => _heartbeat.Dispose();
}
