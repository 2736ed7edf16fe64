using EdgeFence.AspNetCore.Signature;

namespace EdgeFence.AspNetCore.Tests.Signature;

public sealed class ReplayCacheTests
{
    [Fact]
    public void An_id_seen_again_within_its_window_is_a_replay()
    {
        var cache = new ReplayCache(10);
        Assert.True(cache.TryAdd("a", expiresAtUnix: 1_300, nowUnix: 1_000));
        Assert.False(cache.TryAdd("a", expiresAtUnix: 1_300, nowUnix: 1_300));
        Assert.True(cache.TryAdd("b", expiresAtUnix: 1_300, nowUnix: 1_000));
    }

    [Fact]
    public void An_id_is_forgotten_once_its_window_has_passed()
    {
        var cache = new ReplayCache(10);
        Assert.True(cache.TryAdd("a", expiresAtUnix: 1_300, nowUnix: 1_000));
        Assert.True(cache.TryAdd("b", expiresAtUnix: 1_600, nowUnix: 1_301));
        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryAdd("a", expiresAtUnix: 1_601, nowUnix: 1_301));
    }

    [Fact]
    public void A_full_cache_forgets_the_id_whose_window_ends_soonest_and_never_grows()
    {
        var cache = new ReplayCache(3);
        Assert.True(cache.TryAdd("late", expiresAtUnix: 1_500, nowUnix: 1_000));
        Assert.True(cache.TryAdd("soon", expiresAtUnix: 1_100, nowUnix: 1_000));
        Assert.True(cache.TryAdd("middle", expiresAtUnix: 1_300, nowUnix: 1_000));
        Assert.True(cache.TryAdd("new", expiresAtUnix: 1_400, nowUnix: 1_000));

        Assert.Equal(3, cache.Count);
        Assert.True(cache.TryAdd("soon", expiresAtUnix: 1_100, nowUnix: 1_000)); // was forgotten
        Assert.False(cache.TryAdd("late", expiresAtUnix: 1_500, nowUnix: 1_000));
        Assert.False(cache.TryAdd("new", expiresAtUnix: 1_400, nowUnix: 1_000));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void Concurrent_adds_of_one_id_admit_exactly_one()
    {
        var cache = new ReplayCache(1_000);
        var admitted = 0;
        Parallel.For(0, 64, _ =>
        {
            if (cache.TryAdd("same", expiresAtUnix: 2_000, nowUnix: 1_000))
            {
                Interlocked.Increment(ref admitted);
            }
        });
        Assert.Equal(1, admitted);
    }
}
