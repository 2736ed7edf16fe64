using System.Globalization;
using EdgeFence.Core.Limits;
using EdgeFence.Core.Model;

namespace EdgeFence.Core.Tests.Limits;

public class BillingPeriodTests
{
    [Theory]
    // Hours.
    [InlineData(QuotaPeriod.Hour, "2026-03-15T13:45:12.345", "2026-03-15T13:00:00", "2026-03-15T14:00:00")]
    [InlineData(QuotaPeriod.Hour, "2026-03-15T13:00:00.000", "2026-03-15T13:00:00", "2026-03-15T14:00:00")]
    [InlineData(QuotaPeriod.Hour, "2026-12-31T23:59:59.999", "2026-12-31T23:00:00", "2027-01-01T00:00:00")]
    // Days.
    [InlineData(QuotaPeriod.Day, "2026-03-15T13:45:12.345", "2026-03-15T00:00:00", "2026-03-16T00:00:00")]
    [InlineData(QuotaPeriod.Day, "2026-12-31T12:00:00.000", "2026-12-31T00:00:00", "2027-01-01T00:00:00")]
    [InlineData(QuotaPeriod.Day, "2028-02-28T23:59:59.999", "2028-02-28T00:00:00", "2028-02-29T00:00:00")]
    [InlineData(QuotaPeriod.Day, "2028-02-29T06:00:00.000", "2028-02-29T00:00:00", "2028-03-01T00:00:00")]
    [InlineData(QuotaPeriod.Day, "1969-12-31T23:59:59.999", "1969-12-31T00:00:00", "1970-01-01T00:00:00")]
    // ISO weeks start on Monday: 2026-03-15 is a Sunday, 2026-03-16 a Monday, 2026-12-31 a Thursday.
    [InlineData(QuotaPeriod.Week, "2026-03-15T23:59:59.999", "2026-03-09T00:00:00", "2026-03-16T00:00:00")]
    [InlineData(QuotaPeriod.Week, "2026-03-16T00:00:00.000", "2026-03-16T00:00:00", "2026-03-23T00:00:00")]
    [InlineData(QuotaPeriod.Week, "2026-12-31T10:00:00.000", "2026-12-28T00:00:00", "2027-01-04T00:00:00")]
    [InlineData(QuotaPeriod.Week, "2028-02-29T10:00:00.000", "2028-02-28T00:00:00", "2028-03-06T00:00:00")]
    // Months.
    [InlineData(QuotaPeriod.Month, "2026-01-31T23:59:59.999", "2026-01-01T00:00:00", "2026-02-01T00:00:00")]
    [InlineData(QuotaPeriod.Month, "2026-02-28T12:00:00.000", "2026-02-01T00:00:00", "2026-03-01T00:00:00")]
    [InlineData(QuotaPeriod.Month, "2026-03-01T00:00:00.000", "2026-03-01T00:00:00", "2026-04-01T00:00:00")]
    [InlineData(QuotaPeriod.Month, "2026-04-30T23:59:59.999", "2026-04-01T00:00:00", "2026-05-01T00:00:00")]
    [InlineData(QuotaPeriod.Month, "2026-12-31T23:59:59.999", "2026-12-01T00:00:00", "2027-01-01T00:00:00")]
    [InlineData(QuotaPeriod.Month, "2028-02-29T12:00:00.000", "2028-02-01T00:00:00", "2028-03-01T00:00:00")]
    // Years.
    [InlineData(QuotaPeriod.Year, "2026-12-31T23:59:59.999", "2026-01-01T00:00:00", "2027-01-01T00:00:00")]
    [InlineData(QuotaPeriod.Year, "2027-01-01T00:00:00.000", "2027-01-01T00:00:00", "2028-01-01T00:00:00")]
    [InlineData(QuotaPeriod.Year, "2028-02-29T12:00:00.000", "2028-01-01T00:00:00", "2029-01-01T00:00:00")]
    public void Bounds_are_the_calendar_aligned_utc_period_containing_the_instant(QuotaPeriod period, string now, string start, string end)
    {
        BillingPeriod.GetBounds(period, UnixMs(now), out var startMs, out var endMs);

        Assert.Equal(UnixMs(start), startMs);
        Assert.Equal(UnixMs(end), endMs);
    }

    [Theory]
    [InlineData(QuotaPeriod.Hour)]
    [InlineData(QuotaPeriod.Day)]
    [InlineData(QuotaPeriod.Week)]
    [InlineData(QuotaPeriod.Month)]
    [InlineData(QuotaPeriod.Year)]
    public void Bounds_contain_now_and_tile_time_without_gaps(QuotaPeriod period)
    {
        var random = new Random(20_280_229 + (int)period);
        for (var i = 0; i < 5_000; i++)
        {
            // 1971 to 2100.
            var now = random.NextInt64(31_536_000_000, 4_102_444_800_000);

            BillingPeriod.GetBounds(period, now, out var start, out var end);

            Assert.True(start <= now && now < end, $"{period} at {now}: [{start}, {end})");
            var length = end - start;
            var (shortest, longest) = period switch
            {
                QuotaPeriod.Hour => (3_600_000L, 3_600_000L),
                QuotaPeriod.Day => (86_400_000L, 86_400_000L),
                QuotaPeriod.Week => (604_800_000L, 604_800_000L),
                QuotaPeriod.Month => (28 * 86_400_000L, 31 * 86_400_000L),
                _ => (365 * 86_400_000L, 366 * 86_400_000L),
            };
            Assert.InRange(length, shortest, longest);

            // The start is in the same period; the end starts the next one, and one ms before it is still this one.
            BillingPeriod.GetBounds(period, start, out var startAgain, out var endAgain);
            Assert.Equal((start, end), (startAgain, endAgain));
            BillingPeriod.GetBounds(period, end - 1, out startAgain, out endAgain);
            Assert.Equal((start, end), (startAgain, endAgain));
            BillingPeriod.GetBounds(period, end, out var nextStart, out _);
            Assert.Equal(end, nextStart);
        }
    }

    [Fact]
    public void Week_starts_on_monday()
    {
        var random = new Random(7);
        for (var i = 0; i < 1_000; i++)
        {
            BillingPeriod.GetBounds(QuotaPeriod.Week, random.NextInt64(0, 4_102_444_800_000), out var start, out _);

            Assert.Equal(DayOfWeek.Monday, DateTimeOffset.FromUnixTimeMilliseconds(start).UtcDateTime.DayOfWeek);
        }
    }

    [Theory]
    [InlineData(QuotaPeriod.Hour, 3_600)]
    [InlineData(QuotaPeriod.Day, 86_400)]
    [InlineData(QuotaPeriod.Week, 604_800)]
    [InlineData(QuotaPeriod.Month, 2_592_000)] // 30 days
    [InlineData(QuotaPeriod.Year, 31_536_000)] // 365 days
    public void Nominal_seconds_are_the_usual_lengths(QuotaPeriod period, long seconds)
    {
        Assert.Equal(seconds, BillingPeriod.NominalSeconds(period));
    }

    [Fact]
    public void Undefined_period_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BillingPeriod.NominalSeconds((QuotaPeriod)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => BillingPeriod.GetBounds((QuotaPeriod)99, 0, out _, out _));
    }

    private static long UnixMs(string utc) =>
        new DateTimeOffset(DateTime.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal))
            .ToUnixTimeMilliseconds();
}
