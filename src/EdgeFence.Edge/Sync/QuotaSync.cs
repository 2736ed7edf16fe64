using System.Collections.Concurrent;
using System.Security.Cryptography;
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
/// Health is per hash slot (<see cref="RedisHealth"/>), marked by master: on a Redis Cluster, a master that stops
/// answering sends only the accounts on its slots to the outage rules.
/// </summary>
internal sealed class QuotaSync : IAsyncDisposable
{
    private readonly RedisLedger _ledger;
    private readonly CounterStore _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EdgeOptions _options;
    private readonly long _share;
    private readonly long _balanceShare;
    private readonly Func<IEnumerable<LedgerAccount>> _balances;
    private readonly ConcurrentDictionary<Key128, LedgerEntry> _dirty = new();
    private readonly ConcurrentDictionary<Key128, Task> _inflight = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly RedisHealth _health = new();
    private int _disposed;
    private long _lastCleanTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();

    public QuotaSync(RedisLedger ledger, CounterStore counters, EdgeOptions options, Func<EdgeState?> currentState, TimeProvider time, ILogger logger, Func<IEnumerable<LedgerAccount>>? balances = null)
    {
        _balances = balances ?? (static () => []);
        _ledger = ledger;
        _counters = counters;
        _options = options;
        _time = time;
        _logger = logger;
        _share = options.MaxOverAdmission / options.EdgeCount;
        _balanceShare = options.MaxBalanceOverspendMicros / options.EdgeCount;

        // A fresh epoch per process: every entitlement is reconciled with the ledger on first use.
        Epoch = Math.Abs(BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8))) | 1;
        _loop = Task.Run(() => ReconcileLoopAsync(currentState));
    }

    public long Epoch { get; }

    /// <summary>Every master answers.</summary>
    public bool Healthy => _health.SlotsDown == 0;

    /// <summary><c>up</c>, <c>partial</c> (some cluster masters do not answer) or <c>down</c>.</summary>
    public string State => _health.SlotsDown switch { 0 => "up", RedisHealth.SlotCount => "down", _ => "partial" };

    /// <summary>Hash slots whose master does not answer (of 16384).</summary>
    public int SlotsDown => _health.SlotsDown;

    /// <summary>Seconds since every counted change was last in Redis (0 when nothing waits to be pushed).</summary>
    public double ReconcileLagSeconds => _dirty.IsEmpty && _inflight.IsEmpty ? 0 : System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastCleanTimestamp)).TotalSeconds;

    /// <summary>Fills the ledger part of a decision's counter input.</summary>
    public void Prepare(ref EnforceInput input, PlanRuntime plan, LedgerAccount account)
    {
        input.Shared = plan.HasQuota || plan.RateLimit > 0;
        input.LeaseMode = plan.HasQuota && !plan.SoftQuota;
        input.Epoch = Epoch;
        var healthy = IsUp(account);
        input.LedgerDown = !healthy;
        input.OutageAllowance = healthy ? 0 : _share;
        input.EdgeCount = _options.EdgeCount;
    }

    /// <summary>Fills the ledger part of a prepaid balance's counter input: always a hard quota in lease mode.</summary>
    public void PrepareBalance(ref EnforceInput input, LedgerAccount account)
    {
        input.Shared = true;
        input.LeaseMode = true;
        input.Epoch = Epoch;
        var healthy = IsUp(account);
        input.LedgerDown = !healthy;
        input.OutageAllowance = healthy ? 0 : _balanceShare;
        input.EdgeCount = _options.EdgeCount;
    }

    /// <summary>Records that an account's counts changed. Allocates only the first time in a sync interval.</summary>
    public void MarkDirty(LedgerAccount account)
    {
        if (!_dirty.ContainsKey(account.CounterKey))
        {
            _dirty.TryAdd(account.CounterKey, new LedgerEntry(account));
        }
    }

    /// <summary>Starts fetching the next lease slice in the background (at most one fetch per entitlement at a time).</summary>
    public void Prefetch(LedgerAccount account, long cost)
    {
        if (IsUp(account) && !_inflight.ContainsKey(account.CounterKey))
        {
            _ = Track(account, EnforceVerdict.NeedLease, cost);
        }
    }

    /// <summary>
    /// Gets what a request waits for (a lease, or the post-restart resync), at most LeaseTimeoutMs. A
    /// timeout or error marks Redis unhealthy, so the next decisions are local and immediate.
    /// </summary>
    public async Task ResolveAsync(LedgerAccount account, EnforceVerdict need, long cost)
    {
        if (!IsUp(account))
        {
            return;
        }

        try
        {
            await Track(account, need, cost).WaitAsync(TimeSpan.FromMilliseconds(_options.LeaseTimeoutMs)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            MarkUnhealthy(account, null);
        }
    }

    private Task Track(LedgerAccount account, EnforceVerdict need, long cost)
    {
        var key = account.CounterKey;
        if (_inflight.TryGetValue(key, out var running))
        {
            return running;
        }

        var task = need == EnforceVerdict.NeedResync ? ResyncAsync(account) : LeaseAsync(account, cost);
        if (_inflight.TryAdd(key, task))
        {
            _ = task.ContinueWith(static (_, state) => ((Action)state!)(), (Action)(() => _inflight.TryRemove(key, out _)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return task;
    }

    private async Task LeaseAsync(LedgerAccount account, long cost)
    {
        try
        {
            var read = Input(account, EnforceOperation.Read);
            _counters.Enforce(account.CounterKey, ref read, out var current);
            var counters = current.Counters;
            var need = Math.Max(1, counters.Used + cost - counters.Leased);
            var key = account.LedgerKey(counters.PeriodStartMs);
            var maxSlice = account is TokenRuntime ? _options.MaxLeaseSlice : _options.MaxBalanceLeaseMicros;
            var (leased, free) = await _ledger.GrantAsync(key, need, account.QuotaUnits, _options.EdgeCount, maxSlice, account.ExpireAtMs(counters.PeriodStartMs), counters.Leased, Math.Max(1, cost)).ConfigureAwait(false);
            var apply = Input(account, EnforceOperation.ApplyLease);
            apply.LedgerLeased = leased;
            apply.LedgerFree = free;
            apply.LedgerPeriodStartMs = counters.PeriodStartMs;
            _counters.Enforce(account.CounterKey, ref apply, out _);
            MarkHealthy(account);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            MarkUnhealthy(account, ex);
        }
    }

    private async Task ResyncAsync(LedgerAccount account)
    {
        try
        {
            var read = Input(account, EnforceOperation.Read);
            _counters.Enforce(account.CounterKey, ref read, out var current);
            var counters = current.Counters;
            var apply = Input(account, EnforceOperation.Resync);
            if (account.HasQuota)
            {
                var (gross, refunded, leased) = await _ledger.ReadNodeAsync(account.LedgerKey(counters.PeriodStartMs)).ConfigureAwait(false);
                apply.LedgerUsed = gross;
                apply.LedgerRefunded = refunded;
                apply.LedgerLeased = leased;
                apply.LedgerPeriodStartMs = counters.PeriodStartMs;
            }

            // A node that starts using a token learns the other nodes' rate windows before its first decision.
            if (account.RateLimit > 0)
            {
                await PushRateAsync(account, counters).ConfigureAwait(false);
            }

            _counters.Enforce(account.CounterKey, ref apply, out _);
            MarkHealthy(account);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            MarkUnhealthy(account, ex);
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
    /// At start: every entitlement and balance whose checkpointed count is ahead of what it last pushed (the edge
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
            MarkIfUnpushed(token);
        }

        foreach (var balance in _balances())
        {
            MarkIfUnpushed(balance);
        }
    }

    private void MarkIfUnpushed(LedgerAccount account)
    {
        if (!account.HasQuota || _dirty.ContainsKey(account.CounterKey))
        {
            return;
        }

        var read = Input(account, EnforceOperation.Read);
        _counters.Enforce(account.CounterKey, ref read, out var current);
        if (current.Counters.Gross > current.Counters.GrossAtSync)
        {
            MarkDirty(account);
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
        var account = entry.Account;
        try
        {
            var read = Input(account, EnforceOperation.Read);
            _counters.Enforce(account.CounterKey, ref read, out var current);
            var counters = current.Counters;
            if (account.HasQuota)
            {
                var key = account.LedgerKey(counters.PeriodStartMs);
                var (used, granted) = await _ledger.PushAsync(key, counters.Gross, counters.Refunded, account.ExpireAtMs(counters.PeriodStartMs)).ConfigureAwait(false);
                var apply = Input(account, EnforceOperation.ApplySync);
                apply.LedgerUsed = used;
                apply.LedgerPushedUsed = counters.Used;
                apply.LedgerPushedRefunded = counters.Refunded;
                apply.LedgerFree = Math.Max(0, account.QuotaUnits - Math.Max(used, granted));
                apply.LedgerPeriodStartMs = counters.PeriodStartMs;
                _counters.Enforce(account.CounterKey, ref apply, out _);
            }

            if (account.RateLimit > 0)
            {
                await PushRateAsync(account, counters).ConfigureAwait(false);
            }

            MarkHealthy(account);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // Nothing is lost: the count is cumulative in FASTER; the entry is pushed on a later tick.
            _dirty.TryAdd(account.CounterKey, entry);
            MarkUnhealthy(account, ex);
        }
    }

    /// <summary>Raises this node's counts of the current and previous rate windows and records the other nodes' sums.</summary>
    private async Task PushRateAsync(LedgerAccount account, EntitlementCounters counters)
    {
        var window = counters.RateWindowStartMs;
        var (othersCurrent, othersPrevious) = await _ledger.PushRateAsync(
            account.RateKey(window),
            account.RateKey(window - account.RateWindowMs),
            counters.RateCurrent,
            counters.RatePrevious,
            window + (3 * account.RateWindowMs)).ConfigureAwait(false);
        var apply = Input(account, EnforceOperation.ApplyRateSync);
        apply.LedgerWindowStartMs = window;
        apply.LedgerOthersCurrent = othersCurrent;
        apply.LedgerOthersPrevious = othersPrevious;
        _counters.Enforce(account.CounterKey, ref apply, out _);
    }

    private EnforceInput Input(LedgerAccount account, EnforceOperation operation)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return new EnforceInput
        {
            Operation = operation,
            NowMs = now,
            RateLimit = account.RateLimit,
            RateWindowMs = account.RateWindowMs,
            PeriodStartMs = account.PeriodStartMs(now),
            QuotaUnits = account.QuotaUnits,
            SoftQuota = account.SoftQuota,
            Shared = account.HasQuota || account.RateLimit > 0,
            LeaseMode = account.HasQuota && !account.SoftQuota,
            Epoch = Epoch,
        };
    }

    /// <summary>Whether the master of the account's slot answers (the slot is computed once per account).</summary>
    private bool IsUp(LedgerAccount account) => _health.IsUp(SlotOf(account));

    private int SlotOf(LedgerAccount account)
    {
        var slot = account.HashSlot;
        if (slot < 0)
        {
            // Any period: the slot depends only on the hash tag, which the ledger and rate keys share.
            slot = Math.Clamp(_ledger.HashSlot(account.LedgerKey(0)), 0, RedisHealth.SlotCount - 1);
            account.HashSlot = slot;
        }

        return slot;
    }

    // A success or failure marks the whole master of the slot (every range it serves), so one timeout sends all
    // of a dead master's accounts to local decisions at once instead of each waiting LeaseTimeoutMs in turn. The
    // cheap per-slot check comes first: on the steady path (up and answering) nothing is looked up or locked.
    private void MarkHealthy(LedgerAccount account)
    {
        var slot = SlotOf(account);
        if (!_health.IsUp(slot))
        {
            var ranges = _ledger.MasterRanges(slot, out var master);
            if (_health.Mark(ranges, down: false))
            {
                Log.RedisUp(_logger, master);
            }
        }
    }

    private void MarkUnhealthy(LedgerAccount account, Exception? exception)
    {
        var slot = SlotOf(account);
        if (_health.IsUp(slot))
        {
            var ranges = _ledger.MasterRanges(slot, out var master);
            if (_health.Mark(ranges, down: true))
            {
                Log.RedisDown(_logger, master, exception);
            }
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
