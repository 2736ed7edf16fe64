using System.Net;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Store;

public sealed class CounterStoreTests
{
    [Fact]
    public void Concurrent_requests_on_one_token_never_exceed_a_hard_quota()
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
        using var store = new CounterStore(dir, 1000);
        var key = new Key128 { High = 42, Low = 7 };
        var admitted = 0;
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var input = new EnforceInput { NowMs = 1_700_000_000_000, PeriodStartMs = 1_690_000_000_000, QuotaUnits = 5000, Cost = 1 };
                store.Enforce(key, ref input, out var output);
                if (output.Verdict == EnforceVerdict.Admitted)
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        });

        Assert.Equal(5000, admitted);
    }

    [Fact]
    public async Task Counts_survive_a_checkpoint_and_restart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
        var key = new Key128 { High = 1, Low = 2 };
        using (var store = new CounterStore(dir, 1000))
        {
            for (var i = 0; i < 3; i++)
            {
                var input = new EnforceInput { NowMs = 1_700_000_000_000, PeriodStartMs = 1_690_000_000_000, QuotaUnits = 10, Cost = 2 };
                store.Enforce(key, ref input, out _);
            }

            Assert.True(await store.CheckpointAsync(CancellationToken.None));
        }

        using var reopened = new CounterStore(dir, 1000);
        var read = new EnforceInput { NowMs = 1_700_000_000_000, PeriodStartMs = 1_690_000_000_000, QuotaUnits = 10, Operation = EnforceOperation.Read };
        reopened.Enforce(key, ref read, out var output);
        Assert.Equal(6, output.Counters.Used);
        Assert.Equal(4, output.QuotaRemaining);
    }

    [Fact]
    public async Task Restarted_edge_keeps_its_counts()
    {
        await using var env = await TestEnvironment.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            using var ok = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await env.Edge.RestartAsync(snapshotPath: null);

        using var last = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        using var denied = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
        Assert.Equal((HttpStatusCode)429, denied.StatusCode);
    }

    [Fact]
    public void Soft_quota_counts_overage_beyond_the_quota()
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
        using var store = new CounterStore(dir, 10);
        var key = new Key128 { High = 9, Low = 9 };
        for (var i = 0; i < 5; i++)
        {
            var input = new EnforceInput { NowMs = 1_700_000_000_000, PeriodStartMs = 1_690_000_000_000, QuotaUnits = 4, SoftQuota = true, Cost = 2 };
            store.Enforce(key, ref input, out var output);
            Assert.Equal(EnforceVerdict.Admitted, output.Verdict);
        }

        var read = new EnforceInput { NowMs = 1_700_000_000_000, PeriodStartMs = 1_690_000_000_000, QuotaUnits = 4, SoftQuota = true, Operation = EnforceOperation.Read };
        store.Enforce(key, ref read, out var final);
        Assert.Equal(10, final.Counters.Used);
        Assert.Equal(6, final.Counters.Overage);
    }

    [Fact]
    public void A_new_period_starts_from_zero_and_a_clock_going_back_does_not_reset()
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
        using var store = new CounterStore(dir, 10);
        var key = new Key128 { High = 3, Low = 3 };
        Enforce(store, key, periodStart: 2000, quota: 1, EnforceVerdict.Admitted);
        Enforce(store, key, periodStart: 2000, quota: 1, EnforceVerdict.QuotaExhausted);
        Enforce(store, key, periodStart: 1000, quota: 1, EnforceVerdict.QuotaExhausted);
        Enforce(store, key, periodStart: 3000, quota: 1, EnforceVerdict.Admitted);
    }

    private static void Enforce(CounterStore store, Key128 key, long periodStart, long quota, EnforceVerdict expected)
    {
        var input = new EnforceInput { NowMs = 1_700_000_000_000, PeriodStartMs = periodStart, QuotaUnits = quota, Cost = 1 };
        store.Enforce(key, ref input, out var output);
        Assert.Equal(expected, output.Verdict);
    }
}
