using EdgeFence.Core.Limits;

namespace EdgeFence.Core.Tests.Limits;

public class SlidingWindowTests
{
    private const long W = 1000;

    [Theory]
    [InlineData(0, 1000, 0)]
    [InlineData(1, 1000, 0)]
    [InlineData(999, 1000, 0)]
    [InlineData(1000, 1000, 1000)]
    [InlineData(1001, 1000, 1000)]
    [InlineData(1_790_000_123_456, 60_000, 1_790_000_100_000)]
    [InlineData(-1, 1000, -1000)]
    [InlineData(-999, 1000, -1000)]
    [InlineData(-1000, 1000, -1000)]
    [InlineData(-1001, 1000, -2000)]
    [InlineData(-59_999, 60_000, -60_000)]
    public void Window_start_aligns_down_to_a_multiple_of_the_window(long now, long window, long expected)
    {
        Assert.Equal(expected, SlidingWindow.WindowStart(now, window));
    }

    [Fact]
    public void Window_start_is_aligned_and_contains_now_for_random_instants_of_either_sign()
    {
        var random = new Random(20_260_315);
        for (var i = 0; i < 10_000; i++)
        {
            var window = random.NextInt64(1, 86_400_001);
            var now = random.NextInt64(-4_000_000_000_000, 4_000_000_000_000);

            var start = SlidingWindow.WindowStart(now, window);

            Assert.Equal(0, start % window);
            Assert.True(start <= now && now < start + window, $"now={now} window={window} start={start}");
        }
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(9, true)] // one under the limit: this request is the tenth
    [InlineData(10, false)] // limit reached
    [InlineData(11, false)]
    public void Admits_up_to_and_including_the_limit_with_no_previous_window(long current, bool expected)
    {
        Assert.Equal(expected, SlidingWindow.Admits(0, current, 10, 0, W));
        Assert.Equal(expected, SlidingWindow.Admits(0, current, 10, W - 1, W));
    }

    [Theory]
    [InlineData(0, false)] // 10·1000 + 1·1000 = 11000 > 10000
    [InlineData(1, false)] // 10·999 + 1000 = 10990 > 10000
    [InlineData(99, false)] // 10·901 + 1000 = 10010 > 10000
    [InlineData(100, true)] // 10·900 + 1000 = 10000: exactly the limit
    [InlineData(500, true)]
    [InlineData(999, true)]
    public void Full_previous_window_fades_out_as_the_current_window_ages(long elapsed, bool expected)
    {
        Assert.Equal(expected, SlidingWindow.Admits(previous: 10, current: 0, limit: 10, elapsed, W));
    }

    [Theory]
    [InlineData(0, 0)] // 10·1000 = 10000 already used
    [InlineData(100, 1)] // 10·900 + (c+1)·1000 ≤ 10000 ⇔ c ≤ 0
    [InlineData(500, 5)] // 5000 + (c+1)·1000 ≤ 10000 ⇔ c ≤ 4
    [InlineData(750, 7)] // 2500 + (c+1)·1000 ≤ 10000 ⇔ c ≤ 6.5
    [InlineData(999, 9)] // 10 + (c+1)·1000 ≤ 10000 ⇔ c ≤ 8.99
    public void Previous_window_weight_decides_how_many_more_requests_fit(long elapsed, long admissible)
    {
        var admitted = 0L;
        while (SlidingWindow.Admits(previous: 10, current: admitted, limit: 10, elapsed, W))
        {
            admitted++;
            Assert.True(admitted <= 10, "the loop must stop at the limit");
        }

        Assert.Equal(admissible, admitted);
        Assert.Equal(admissible, SlidingWindow.Remaining(previous: 10, current: 0, limit: 10, elapsed, W));
    }

    [Theory]
    [InlineData(0, 3, 10, 0, 7)]
    [InlineData(0, 10, 10, 0, 0)]
    [InlineData(4, 2, 10, 500, 6)] // used = 4·500 + 2·1000 = 4000 → 6000/1000
    [InlineData(3, 0, 10, 1, 7)] // used = 3·999 = 2997 → floor(7003/1000)
    public void Remaining_is_the_floor_of_limit_minus_the_estimate(long previous, long current, long limit, long elapsed, long expected)
    {
        Assert.Equal(expected, SlidingWindow.Remaining(previous, current, limit, elapsed, W));
    }

    [Theory]
    [InlineData(0, 50, 10, 0)]
    [InlineData(50, 0, 10, 0)]
    [InlineData(50, 50, 10, 999)]
    [InlineData(0, 1, 0, 0)]
    public void Remaining_is_never_negative(long previous, long current, long limit, long elapsed)
    {
        Assert.Equal(0, SlidingWindow.Remaining(previous, current, limit, elapsed, W));
    }

    [Fact]
    public void Milliseconds_until_admitted_is_zero_when_admitted_now()
    {
        Assert.Equal(0, SlidingWindow.MillisecondsUntilAdmitted(previous: 10, current: 4, limit: 10, elapsedMs: 500, W));
        Assert.Equal(0, SlidingWindow.MillisecondsUntilAdmitted(previous: 0, current: 9, limit: 10, elapsedMs: 0, W));
    }

    [Fact]
    public void Milliseconds_until_admitted_waits_for_the_previous_window_to_fade()
    {
        // At elapsed 100 the previous window weighs 10·900 = 9000, leaving room for one (see above).
        Assert.Equal(100, SlidingWindow.MillisecondsUntilAdmitted(previous: 10, current: 0, limit: 10, elapsedMs: 0, W));
    }

    [Fact]
    public void Milliseconds_until_admitted_waits_into_the_next_window_when_the_current_one_is_full()
    {
        // Rest of this window (800), then the full window 10 weighs 10·(1000−e') ≤ 9·1000 from e' = 100.
        Assert.Equal(900, SlidingWindow.MillisecondsUntilAdmitted(previous: 0, current: 10, limit: 10, elapsedMs: 200, W));
    }

    [Fact]
    public void Milliseconds_until_admitted_with_limit_one_waits_until_the_full_window_has_aged_out()
    {
        // The single request of this window must leave the sliding window completely: two windows from its start.
        Assert.Equal(1700, SlidingWindow.MillisecondsUntilAdmitted(previous: 0, current: 1, limit: 1, elapsedMs: 300, W));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 3)]
    [InlineData(long.MaxValue, long.MaxValue)]
    public void Milliseconds_until_admitted_with_limit_zero_is_never(long previous, long current)
    {
        Assert.Equal(long.MaxValue, SlidingWindow.MillisecondsUntilAdmitted(previous, current, 0, 0, W));
    }

    [Fact]
    public void Waiting_the_returned_time_is_exactly_enough_for_random_cases()
    {
        var random = new Random(1_790_000_000);
        var blocked = 0;
        var rolledIntoNextWindow = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var window = random.Next(4) switch
            {
                0 => random.NextInt64(1, 20),
                1 => random.NextInt64(1, 2_000),
                2 => 60_000,
                _ => random.NextInt64(1, 86_400_001),
            };
            var limit = random.NextInt64(1, random.Next(2) == 0 ? 12 : 5_000);
            var previous = random.NextInt64(0, 3 * limit + 1);
            var current = random.NextInt64(0, 3 * limit + 1);
            var elapsed = random.NextInt64(0, window);
            var context = $"previous={previous} current={current} limit={limit} elapsed={elapsed} window={window}";

            var wait = SlidingWindow.MillisecondsUntilAdmitted(previous, current, limit, elapsed, window);

            if (SlidingWindow.Admits(previous, current, limit, elapsed, window))
            {
                Assert.True(wait == 0, context);
                continue;
            }

            blocked++;
            Assert.True(wait > 0, context);
            Assert.True(wait <= 2 * window - elapsed, $"{context}: waited {wait}, past the point where both windows aged out");
            if (elapsed + wait >= window)
            {
                rolledIntoNextWindow++;
            }

            Assert.True(AdmitsAfter(previous, current, limit, elapsed, window, wait), $"{context}: not admitted after {wait} ms");
            Assert.False(AdmitsAfter(previous, current, limit, elapsed, window, wait - 1), $"{context}: already admitted after {wait - 1} ms");
        }

        // Both branches (fading previous window, next window) must have been exercised many times.
        Assert.True(blocked > 10_000, $"only {blocked} blocked cases");
        Assert.True(rolledIntoNextWindow > 1_000, $"only {rolledIntoNextWindow} cases rolled into the next window");
        Assert.True(blocked - rolledIntoNextWindow > 1_000, $"only {blocked - rolledIntoNextWindow} cases admitted within the window");
    }

    [Fact]
    public void Huge_counts_saturate_instead_of_overflowing()
    {
        const long Window = 60_000;

        Assert.False(SlidingWindow.Admits(long.MaxValue, 0, 10, 0, Window));
        Assert.False(SlidingWindow.Admits(0, long.MaxValue, 10, 0, Window));
        Assert.False(SlidingWindow.Admits(long.MaxValue, long.MaxValue, 10, 0, Window));
        Assert.True(SlidingWindow.Admits(0, 0, long.MaxValue, 0, Window));

        Assert.Equal(0, SlidingWindow.Remaining(long.MaxValue, long.MaxValue, 10, 0, Window));
        Assert.Equal(0, SlidingWindow.Remaining(0, long.MaxValue, 10, 0, Window));
        Assert.True(SlidingWindow.Remaining(0, 0, long.MaxValue, 0, Window) >= int.MaxValue);

        // Only the window after next is free of a count that large.
        Assert.Equal(2 * Window, SlidingWindow.MillisecondsUntilAdmitted(long.MaxValue, long.MaxValue, 10, 0, Window));
        Assert.Equal(2 * Window, SlidingWindow.MillisecondsUntilAdmitted(0, long.MaxValue, 10, 0, Window));

        // A huge previous window is forgotten once the current (empty) window becomes the previous.
        Assert.Equal(Window - 10, SlidingWindow.MillisecondsUntilAdmitted(long.MaxValue, 0, 10, 10, Window));
    }

    /// <summary>
    /// Whether one more request is admitted <paramref name="delay"/> ms from now with no request in
    /// between, rolling the fixed windows as the counter store does: at each window boundary the
    /// current count becomes the previous and the current starts at zero.
    /// </summary>
    private static bool AdmitsAfter(long previous, long current, long limit, long elapsed, long window, long delay)
    {
        var at = elapsed + delay;
        while (at >= window)
        {
            previous = current;
            current = 0;
            at -= window;
        }

        return SlidingWindow.Admits(previous, current, limit, at, window);
    }
}
