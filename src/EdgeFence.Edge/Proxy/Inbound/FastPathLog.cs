using EdgeFence.Edge.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>The log lines of the fast path (EventIds 830-839). Per-connection events log at Debug: they are the client's business.</summary>
internal static partial class FastPathLog
{
    [LoggerMessage(EventIds.FastPathConnectionEnded, LogLevel.Debug, "Fast-path connection {ConnectionId} ended mid-exchange: {Detail}")]
    public static partial void ConnectionEnded(ILogger logger, string connectionId, string detail);

    [LoggerMessage(EventIds.FastPathHandOff, LogLevel.Debug, "Fast-path connection {ConnectionId} handed to Kestrel's HTTP stack: {Reason}")]
    public static partial void HandOff(ILogger logger, string connectionId, string reason);
}
