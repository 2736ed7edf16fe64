using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>
/// The fast path's client timeouts and minimum data rates, in milliseconds and bytes per second, taken from the
/// listener's Kestrel limits so a request is held to the same ones whichever HTTP layer reads it. Each defends
/// against a client holding a connection (and on the body, an origin connection) without moving bytes: slowloris
/// heads, idle keep-alive connections, bodies trickled in, responses never read.
/// </summary>
internal sealed class InboundTimeouts
{
    public InboundTimeouts(KestrelServerLimits limits)
    {
        KeepAlive = (long)limits.KeepAliveTimeout.TotalMilliseconds;
        RequestHeaders = (long)limits.RequestHeadersTimeout.TotalMilliseconds;
        MinRequestBodyRate = limits.MinRequestBodyDataRate?.BytesPerSecond ?? 0;
        RequestBodyGrace = (long)(limits.MinRequestBodyDataRate?.GracePeriod.TotalMilliseconds ?? 0);
        MinResponseRate = limits.MinResponseDataRate?.BytesPerSecond ?? 0;
        ResponseGrace = (long)(limits.MinResponseDataRate?.GracePeriod.TotalMilliseconds ?? 0);
    }

    /// <summary>Idle time allowed between requests (Kestrel: 130 s).</summary>
    public long KeepAlive { get; }

    /// <summary>Time allowed from a head's first byte to its end (Kestrel: 30 s).</summary>
    public long RequestHeaders { get; }

    /// <summary>Minimum average request body rate after <see cref="RequestBodyGrace"/> (Kestrel: 240 B/s, 5 s); 0 for none.</summary>
    public double MinRequestBodyRate { get; }

    public long RequestBodyGrace { get; }

    /// <summary>Minimum average rate at which the client takes the response (Kestrel: 240 B/s, 5 s); 0 for none.</summary>
    public double MinResponseRate { get; }

    public long ResponseGrace { get; }
}
