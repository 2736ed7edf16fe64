using System.Collections.Concurrent;
using System.Security.Cryptography;
using EdgeFence.Core.Limits;
using EdgeFence.Edge.Hosting;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace EdgeFence.Edge.Sync;

/// <summary>
/// Shares quotas between edges through the Redis ledger, off the request path:
/// <list type="bullet">
/// <item>a reconciler pushes each changed entitlement's cumulative per-node count every
/// <c>SyncIntervalMs</c>, all of them at once (pipelined), and records the global sum it reads back;</item>
/// <item>hard quotas are admitted only against leases this node got from the ledger, refilled ahead of
/// need, so the edges together never admit more than the quota while Redis answers;</item>
/// <item>while Redis does not answer, requests are decided at once from local counts, each node going
/// at most its share of <c>MaxOverAdmission</c> beyond its lease; every count stays in FASTER and is
/// pushed when Redis is back.</item>
/// </list>
/// </summary>
internal sealed class QuotaSync : IAsyncDisposable
{
    private readonly RedisLedger _ledger;
    private readonly CounterStore _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EdgeOptions _options;
    private readonly long _share;
    private readonly ConcurrentDictionary<Key128, LedgerEntry> _dirty = new();
    private readonly ConcurrentDictionary<Key128, Task> _inflight = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _healthy = true;
    private int _disposed;
    private long _lastCleanTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();

    public QuotaSync(RedisLedger ledger, CounterStore counters, EdgeOptions options, Func<EdgeState?> currentState, TimeProvider time, ILogger logger)
    {
        _ledger = ledger;
        _counters = counters;
        _options = options;
        _time = time;
        _logger = logger;
        _share = options.MaxOverAdmission / options.EdgeCount;

        // A fresh epoch per process: every entitlement is reconciled with the ledger on first use.
        Epoch = Math.Abs(BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8))) | 1;
        _loop = Task.Run(() => ReconcileLoopAsync(currentState));
    }

    public long Epoch { get; }

    public bool Healthy => _healthy;

    /// <summary>Seconds since every counted change was last in Redis (0 when nothing waits to be pushed).</summary>
    public double ReconcileLagSeconds => _dirty.IsEmpty && _inflight.IsEmpty ? 0 : System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastCleanTimestamp)).TotalSeconds;

    /// <summary>Units beyond its lease this node may admit now: 0 while Redis answers, its share of MaxOverAdmission while it does not.</summary>
    public long OutageAllowance => _healthy ? 0 : _share;

    /// <summary>Fills the ledger part of a decision's counter input.</summary>
    public void Prepare(ref EnforceInput input, PlanRuntime plan)
    {
        input.Shared = plan.HasQuota || plan.RateLimit > 0;
        input.LeaseMode = plan.HasQuota && !plan.SoftQuota;
        input.Epoch = Epoch;
        var healthy = _healthy;
        input.LedgerDown = !healthy;
        input.OutageAllowance = healthy ? 0 : _share;
        input.EdgeCount = _options.EdgeCount;
    }

    /// <summary>Records that an entitlement's counts changed. Allocates only the first time in a sync interval.</summary>
    public void MarkDirty(TokenRuntime token)
    {
        if (!_dirty.ContainsKey(token.CounterKey))
        {
            _dirty.TryAdd(token.CounterKey, new LedgerEntry(token));
        }
    }

    /// <summary>Starts fetching the next lease slice in the background (at most one fetch per entitlement at a time).</summary>
    public void Prefetch(TokenRuntime token)
    {
        if (_healthy && !_inflight.ContainsKey(token.CounterKey))
        {
            _ = Track(token, EnforceVerdict.NeedLease, cost: 1);
        }
    }

    /// <summary>
    /// Gets what a request waits for (a lease, or the post-restart resync), at most LeaseTimeoutMs. A
    /// timeout or error marks Redis unhealthy, so the next decisions are local and immediate.
    /// </summary>
    public async Task ResolveAsync(TokenRuntime token, EnforceVerdict need, long cost)
    {
        if (!_healthy)
        {
            return;
        }

        try
        {
            await Track(token, need, cost).WaitAsync(TimeSpan.FromMilliseconds(_options.LeaseTimeoutMs)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            MarkUnhealthy(null);
        }
    }

    private Task Track(TokenRuntime token, EnforceVerdict need, long cost)
    {
        var key = token.CounterKey;
        if (_inflight.TryGetValue(key, out var running))
        {
            return running;
        }

        var task = need == EnforceVerdict.NeedResync ? ResyncAsync(token) : LeaseAsync(token, cost);
        if (_inflight.TryAdd(key, task))
        {
            _ = task.ContinueWith(static (_, state) => ((Action)state!)(), (Action)(() => _inflight.TryRemove(key, out _)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return task;
    }

    private async Task LeaseAsync(TokenRuntime token, long cost)
    {
        try
        {
            var read = Input(token, EnforceOperation.Read);
            _counters.Enforce(token.CounterKey, ref read, out var current);
            var counters = current.Counters;
            var need = Math.Max(1, counters.Used + cost - counters.Leased);
            var key = LedgerKey.For(token.Site.Id, token.Id, counters.PeriodStartMs);
            var (leased, free) = await _ledger.GrantAsync(key, need, token.Plan.QuotaUnits, _options.EdgeCount, _options.MaxLeaseSlice, ExpireAt(token, counters.PeriodStartMs), counters.Leased).ConfigureAwait(false);
            var apply = Input(token, EnforceOperation.ApplyLease);
            apply.LedgerLeased = leased;
            apply.LedgerFree = free;
            apply.LedgerPeriodStartMs = counters.PeriodStartMs;
            _counters.Enforce(token.CounterKey, ref apply, out _);
            MarkHealthy();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            MarkUnhealthy(ex);
        }
    }

    private async Task ResyncAsync(TokenRuntime token)
    {
        try
        {
            var read = Input(token, EnforceOperation.Read);
            _counters.Enforce(token.CounterKey, ref read, out var current);
            var counters = current.Counters;
            var apply = Input(token, EnforceOperation.Resync);
            if (token.Plan.HasQuota)
            {
                var (used, leased) = await _ledger.ReadNodeAsync(LedgerKey.For(token.Site.Id, token.Id, counters.PeriodStartMs)).ConfigureAwait(false);
                apply.LedgerUsed = used;
                apply.LedgerLeased = leased;
                apply.LedgerPeriodStartMs = counters.PeriodStartMs;
            }

            // A node that starts using a token learns the other nodes' rate windows before its first decision.
            if (token.Plan.RateLimit > 0)
            {
                await PushRateAsync(token, counters).ConfigureAwait(false);
            }

            _counters.Enforce(token.CounterKey, ref apply, out _);
            MarkHealthy();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            MarkUnhealthy(ex);
        }
    }

    private async Task ReconcileLoopAsync(Func<EdgeState?> currentState)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.SyncIntervalMs), _time);
        try
        {
            MarkUnpushed(currentState());
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                await PushDirtyAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: DisposeAsync makes the final push.
        }
    }

    /// <summary>
    /// At start: every entitlement whose checkpointed count is ahead of what it last pushed (the edge
    /// stopped while Redis was down, or was killed) is pushed again, so the ledger catches up even for
    /// tokens this edge never sees again.
    /// </summary>
    private void MarkUnpushed(EdgeState? state)
    {
        if (state is null)
        {
            return;
        }

        foreach (var token in state.Tokens)
        {
            if (!token.Plan.HasQuota || _dirty.ContainsKey(token.CounterKey))
            {
                continue;
            }

            var read = Input(token, EnforceOperation.Read);
            _counters.Enforce(token.CounterKey, ref read, out var current);
            if (current.Counters.Used > current.Counters.UsedAtSync)
            {
                MarkDirty(token);
            }
        }
    }

    /// <summary>Pushes every changed entitlement; the commands go out together and Redis pipelines them.</summary>
    public async Task PushDirtyAsync()
    {
        if (_dirty.IsEmpty)
        {
            Interlocked.Exchange(ref _lastCleanTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
            return;
        }

        var batch = new List<LedgerEntry>(_dirty.Count);
        foreach (var pair in _dirty)
        {
            if (_dirty.TryRemove(pair.Key, out var entry))
            {
                batch.Add(entry);
            }
        }

        var pushes = new Task[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            pushes[i] = PushAsync(batch[i]);
        }

        await Task.WhenAll(pushes).ConfigureAwait(false);
        if (_dirty.IsEmpty)
        {
            Interlocked.Exchange(ref _lastCleanTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }

    private async Task PushAsync(LedgerEntry entry)
    {
        var token = entry.Token;
        try
        {
            var read = Input(token, EnforceOperation.Read);
            _counters.Enforce(token.CounterKey, ref read, out var current);
            var counters = current.Counters;
            var plan = token.Plan;
            if (plan.HasQuota)
            {
                var key = LedgerKey.For(token.Site.Id, token.Id, counters.PeriodStartMs);
                var (used, granted) = await _ledger.PushAsync(key, counters.Used, ExpireAt(token, counters.PeriodStartMs)).ConfigureAwait(false);
                var apply = Input(token, EnforceOperation.ApplySync);
                apply.LedgerUsed = used;
                apply.LedgerPushedUsed = counters.Used;
                apply.LedgerFree = Math.Max(0, plan.QuotaUnits - Math.Max(used, granted));
                apply.LedgerPeriodStartMs = counters.PeriodStartMs;
                _counters.Enforce(token.CounterKey, ref apply, out _);
            }

            if (plan.RateLimit > 0)
            {
                await PushRateAsync(token, counters).ConfigureAwait(false);
            }

            MarkHealthy();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // Nothing is lost: the count is cumulative in FASTER; the entry is pushed on a later tick.
            _dirty.TryAdd(token.CounterKey, entry);
            MarkUnhealthy(ex);
        }
    }

    /// <summary>Raises this node's counts of the current and previous rate windows and records the other nodes' sums.</summary>
    private async Task PushRateAsync(TokenRuntime token, EntitlementCounters counters)
    {
        var plan = token.Plan;
        var window = counters.RateWindowStartMs;
        var (othersCurrent, othersPrevious) = await _ledger.PushRateAsync(
            LedgerKey.ForWindow(token.Site.Id, token.Id, window),
            LedgerKey.ForWindow(token.Site.Id, token.Id, window - plan.RateWindowMs),
            counters.RateCurrent,
            counters.RatePrevious,
            window + (3 * plan.RateWindowMs)).ConfigureAwait(false);
        var apply = Input(token, EnforceOperation.ApplyRateSync);
        apply.LedgerWindowStartMs = window;
        apply.LedgerOthersCurrent = othersCurrent;
        apply.LedgerOthersPrevious = othersPrevious;
        _counters.Enforce(token.CounterKey, ref apply, out _);
    }

    private EnforceInput Input(TokenRuntime token, EnforceOperation operation)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var plan = token.Plan;
        BillingPeriod.GetBounds(plan.Plan.QuotaPeriod, now, out var periodStart, out _);
        return new EnforceInput
        {
            Operation = operation,
            NowMs = now,
            RateLimit = plan.RateLimit,
            RateWindowMs = plan.RateWindowMs,
            PeriodStartMs = periodStart,
            QuotaUnits = plan.QuotaUnits,
            SoftQuota = plan.SoftQuota,
            Shared = plan.HasQuota || plan.RateLimit > 0,
            LeaseMode = plan.HasQuota && !plan.SoftQuota,
            Epoch = Epoch,
        };
    }

    private static long ExpireAt(TokenRuntime token, long periodStartMs)
    {
        BillingPeriod.GetBounds(token.Plan.Plan.QuotaPeriod, periodStartMs, out _, out var periodEnd);
        return periodEnd + (long)LedgerKey.Retention.TotalMilliseconds;
    }

    private void MarkHealthy()
    {
        if (!_healthy)
        {
            _healthy = true;
            Log.RedisUp(_logger);
        }
    }

    private void MarkUnhealthy(Exception? exception)
    {
        if (_healthy)
        {
            _healthy = false;
            Log.RedisDown(_logger, exception);
        }
    }

    private static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException or InvalidCastException;

    /// <summary>Stops the loop and makes a last push of everything changed (bounded: Redis may be down).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        try
        {
            await PushDirtyAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Redis is down: the counts are in the checkpoint and are pushed by the next start's reconciler.
        }

        _stop.Dispose();
    }
}
