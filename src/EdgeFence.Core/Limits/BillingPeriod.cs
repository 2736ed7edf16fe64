using EdgeFence.Core.Model;

namespace EdgeFence.Core.Limits;

/// <summary>
/// Bounds of the calendar-aligned UTC billing period that contains an instant. Every edge computes
/// the same bounds from the same clock, so a period is the same key everywhere.
/// </summary>
public static class BillingPeriod
{
    public static void GetBounds(QuotaPeriod period, long nowUnixMs, out long startUnixMs, out long endUnixMs)
    {
        var now = DateTime.UnixEpoch.AddMilliseconds(nowUnixMs);
        DateTime start, end;
        switch (period)
        {
            case QuotaPeriod.Hour:
                start = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc);
                end = start.AddHours(1);
                break;
            case QuotaPeriod.Day:
                start = new DateTime(now.Year, now.Month, now.Day, 0, 0, 0, DateTimeKind.Utc);
                end = start.AddDays(1);
                break;
            case QuotaPeriod.Week:
                // ISO weeks start on Monday.
                var day = new DateTime(now.Year, now.Month, now.Day, 0, 0, 0, DateTimeKind.Utc);
                var sinceMonday = ((int)day.DayOfWeek + 6) % 7;
                start = day.AddDays(-sinceMonday);
                end = start.AddDays(7);
                break;
            case QuotaPeriod.Month:
                start = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
                end = start.AddMonths(1);
                break;
            case QuotaPeriod.Year:
                start = new DateTime(now.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
                end = start.AddYears(1);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(period));
        }

        startUnixMs = (long)(start - DateTime.UnixEpoch).TotalMilliseconds;
        endUnixMs = (long)(end - DateTime.UnixEpoch).TotalMilliseconds;
    }

    /// <summary>Nominal length in seconds, for the <c>w</c> parameter of <c>RateLimit-Policy</c>.</summary>
    public static long NominalSeconds(QuotaPeriod period) => period switch
    {
        QuotaPeriod.Hour => 3600,
        QuotaPeriod.Day => 86_400,
        QuotaPeriod.Week => 604_800,
        QuotaPeriod.Month => 2_592_000,
        QuotaPeriod.Year => 31_536_000,
        _ => throw new ArgumentOutOfRangeException(nameof(period)),
    };
}
