using EdgeFence.Core.Ledger;
using StackExchange.Redis;

namespace EdgeFence.Edge.Sync;

/// <summary>
/// The shared ledger in Redis (StackExchange.Redis; scripts by SHA after the first load, explicit
/// key and value arrays, which stay AOT-safe). Every call is atomic per entitlement-period.
/// </summary>
internal sealed class RedisLedger : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly string _node;

    private RedisLedger(ConnectionMultiplexer redis, string node)
    {
        _redis = redis;
        _node = node;
    }

    public static async Task<RedisLedger> ConnectAsync(string configuration, string node)
    {
        var options = ConfigurationOptions.Parse(configuration);

        // Start even when Redis is down: the edge decides from local counts and catches up later.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        options.ClientName = "edgefence-" + node;

        // Fail a command at once while disconnected instead of queueing it: the edge then decides
        // locally without waiting, and the reconciler retries on its next tick.
        options.BacklogPolicy = BacklogPolicy.FailFast;

        // Retry a lost connection every half second, not with a backoff that grows over a long outage:
        // catching up soon after Redis returns is what keeps the ledger fresh.
        options.ReconnectRetryPolicy = new LinearRetry(500);
        return new RedisLedger(await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false), node);
    }

    public bool IsConnected => _redis.IsConnected;

    /// <summary>The hash slot of a key (CRC16 of its hash tag), as the client routes it.</summary>
    public int HashSlot(string key) => _redis.HashSlot(key);

    /// <summary>
    /// The slot ranges of the master that serves <paramref name="slot"/>, from the client's last view of the
    /// cluster: every slot for a standalone Redis, only that slot when the cluster layout is not known.
    /// </summary>
    public IReadOnlyList<(int From, int To)> MasterRanges(int slot, out string master)
    {
        ClusterConfiguration? cluster = null;
        foreach (var server in _redis.GetServers())
        {
            if (server.ServerType == ServerType.Cluster)
            {
                cluster = server.ClusterConfiguration;
                if (cluster is not null)
                {
                    break;
                }
            }
        }

        if (cluster is null)
        {
            master = "redis";
            return [(0, RedisHealth.SlotCount - 1)];
        }

        var node = cluster.GetBySlot(slot);
        if (node is null || node.Slots.Count == 0)
        {
            master = "slot " + slot.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return [(slot, slot)];
        }

        master = $"master {node.EndPoint} (slots {string.Join(',', node.Slots.Select(r => r.From == r.To ? $"{r.From}" : $"{r.From}-{r.To}"))})";
        return [.. node.Slots.Select(r => (r.From, r.To))];
    }

    /// <summary>Raises this node's gross and refunded counts and reads back the global sums (used net of refunds).</summary>
    public async Task<(long Used, long Granted)> PushAsync(string key, long gross, long refunded, long expireAtMs)
    {
        var result = await _redis.GetDatabase().ScriptEvaluateAsync(LedgerScripts.Push, [key], [_node, gross, refunded, expireAtMs]).ConfigureAwait(false);
        var values = (RedisResult[])result!;
        return ((long)values[0], (long)values[1]);
    }

    /// <summary>Asks for a lease of at least <paramref name="need"/> units.</summary>
    public async Task<(long Leased, long Free)> GrantAsync(string key, long need, long quota, int edges, long maxSlice, long expireAtMs, long held, long unit = 1)
    {
        var result = await _redis.GetDatabase().ScriptEvaluateAsync(LedgerScripts.Grant, [key], [_node, need, quota, edges, maxSlice, expireAtMs, held, unit]).ConfigureAwait(false);
        var values = (RedisResult[])result!;
        return ((long)values[0], (long)values[1]);
    }

    /// <summary>Raises this node's counts in the current and previous rate windows; returns the other nodes' sums.</summary>
    public async Task<(long OthersCurrent, long OthersPrevious)> PushRateAsync(string currentKey, string previousKey, long current, long previous, long expireAtMs)
    {
        var result = await _redis.GetDatabase().ScriptEvaluateAsync(LedgerScripts.PushRate, [currentKey, previousKey], [_node, current, previous, expireAtMs]).ConfigureAwait(false);
        var values = (RedisResult[])result!;
        return ((long)values[0], (long)values[1]);
    }

    /// <summary>This node's own fields (after a restart: what it pushed, gave back and leased before).</summary>
    public async Task<(long Gross, long Refunded, long Leased)> ReadNodeAsync(string key)
    {
        var values = await _redis.GetDatabase().HashGetAsync(key, [LedgerFields.UsedPrefix + _node, LedgerFields.RefundedPrefix + _node, "l:" + _node]).ConfigureAwait(false);
        return (values[0].IsNull ? 0 : (long)values[0], values[1].IsNull ? 0 : (long)values[1], values[2].IsNull ? 0 : (long)values[2]);
    }

    /// <summary>Appends one entry to a stream, trimming it to about <paramref name="maxLength"/> entries.</summary>
    public Task StreamAddAsync(string key, NameValueEntry[] fields, long maxLength)
        => _redis.GetDatabase().StreamAddAsync(key, fields, maxLength: (int)Math.Min(int.MaxValue, maxLength), useApproximateMaxLength: true);

    /// <summary>Up to <paramref name="count"/> stream entries after <paramref name="afterId"/> (XREAD without BLOCK: the multiplexer is shared).</summary>
    public Task<StreamEntry[]> StreamReadAsync(string key, string afterId, int count)
        => _redis.GetDatabase().StreamReadAsync(key, afterId, count);

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
