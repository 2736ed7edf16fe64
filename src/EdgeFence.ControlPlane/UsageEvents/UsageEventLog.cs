using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>The usage events' log lines (event ids 700-709). Keys and quantities only: no token, no secret.</summary>
internal static partial class UsageEventLog
{
    [LoggerMessage(700, LogLevel.Information, "Usage event {EventId}: {Units} units to token {TokenId} of site {SiteId} for the period starting {PeriodStart} (period total {PeriodUnits})")]
    public static partial void Recorded(ILogger logger, string eventId, long units, string tokenId, string siteId, DateTimeOffset periodStart, long periodUnits);

    [LoggerMessage(701, LogLevel.Debug, "Usage event {EventId} replayed (same idempotency key, same body): answered as the first time")]
    public static partial void Replayed(ILogger logger, string eventId);

    [LoggerMessage(702, LogLevel.Warning, "Usage totals not yet in the Redis ledger ({Pending} waiting, -1 unknown): {Detail}; retrying every second")]
    public static partial void PushFailed(ILogger logger, int pending, string detail);
}
