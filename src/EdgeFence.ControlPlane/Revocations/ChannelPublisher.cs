using System.Security.Cryptography;
using EdgeFence.ControlPlane.Logging;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Channel;
using EdgeFence.Core.Security;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Revocations;

/// <summary>
/// Drains the <c>channel_outbox</c> into the Redis stream the edges follow (XADD, then DELETE of the rows
/// added), and adds a signed heartbeat every <see cref="HeartbeatInterval"/>. A row is deleted only after
/// Redis took it, so a crash or a Redis outage delays an entry but never loses it; a crash between the XADD
/// and the DELETE sends it twice, which is harmless: every entry is idempotent at the edge.
/// </summary>
internal sealed class ChannelPublisher : IAsyncDisposable
{
    /// <summary>The default stream key; edges read <c>EdgeFence:ChannelStream</c>, which defaults to the same.</summary>
    public const string DefaultStream = "edgefence:channel";

    /// <summary>
    /// Entries kept in the stream (trimmed approximately). Bounds Redis memory against a flood of changes; an
    /// edge further behind than this missed nothing it cannot get from its next snapshot and wallet book.
    /// </summary>
    public const int MaxStreamLength = 100_000;

    /// <summary>Rows added per round trip: bounds one batch's memory while a long outage's backlog drains.</summary>
    private const int BatchSize = 256;

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    private readonly Database _database;
    private readonly ChannelOutbox _outbox;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey _stream;
    private readonly ECDsa _signingKey;
    private readonly Func<long> _snapshotVersion;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _publishedThrough;
    private Task? _loop;

    public ChannelPublisher(Database database, ChannelOutbox outbox, IConnectionMultiplexer redis, string stream, ECDsa signingKey, Func<long> snapshotVersion, TimeProvider time, ILogger logger)
    {
        _database = database;
        _outbox = outbox;
        _redis = redis;
        _stream = stream;
        _signingKey = signingKey;
        _snapshotVersion = snapshotVersion;
        _time = time;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Waits (bounded) until outbox row <paramref name="outboxId"/> is in the stream; false on timeout.</summary>
    public async Task<bool> WaitForPublishedAsync(long outboxId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        while (Volatile.Read(ref _publishedThrough) < outboxId)
        {
            try
            {
                await Volatile.Read(ref _published).Task.WaitAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var nextHeartbeat = _time.GetUtcNow();
        var retry = TimeSpan.FromMilliseconds(100);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (_time.GetUtcNow() >= nextHeartbeat)
                {
                    await AddAsync(ChannelEntry.Heartbeat(Math.Max(1, _snapshotVersion()), _time.GetUtcNow().ToUnixTimeMilliseconds())).ConfigureAwait(false);
                    nextHeartbeat = _time.GetUtcNow() + HeartbeatInterval;
                }

                if (await DrainAsync().ConfigureAwait(false) == BatchSize)
                {
                    continue;
                }

                retry = TimeSpan.FromMilliseconds(100);
                await _outbox.Committed.WaitAsync(HeartbeatInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or Microsoft.Data.Sqlite.SqliteException)
            {
                // Redis down (or the database busy): the rows stay in the outbox; retry soon, a little later each time.
                Log.ChannelPublishFailed(_logger, ex.Message);
                try
                {
                    await _outbox.Committed.WaitAsync(retry, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromMilliseconds(Math.Min(2000, retry.TotalMilliseconds * 2));
            }
        }
    }

    /// <summary>Adds one batch of outbox rows to the stream, in id order, then deletes them. Returns how many.</summary>
    private async Task<int> DrainAsync()
    {
        List<(long Id, byte[] Bytes, byte[] Signature)> rows;
        using (var connection = _database.Open())
        {
            rows = connection.Command(null, $"SELECT id, bytes, signature FROM channel_outbox ORDER BY id LIMIT {BatchSize}")
                .ReadAll(r => (r.GetInt64(0), (byte[])r.GetValue(1), (byte[])r.GetValue(2)));
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        // One after another, not pipelined: the stream must hold them in commit order.
        foreach (var row in rows)
        {
            await AddAsync(row.Bytes, row.Signature).ConfigureAwait(false);
        }

        var last = rows[^1].Id;
        using (var connection = _database.Open())
        {
            connection.Command(null, "DELETE FROM channel_outbox WHERE id <= $id").With("$id", last).Execute();
        }

        Volatile.Write(ref _publishedThrough, last);
        Interlocked.Exchange(ref _published, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        Log.ChannelPublished(_logger, rows.Count, last);
        return rows.Count;
    }

    private Task AddAsync(ChannelEntry entry)
    {
        var bytes = ChannelEntryCodec.Encode(entry);
        return AddAsync(bytes, SnapshotSigner.Sign(bytes, _signingKey));
    }

    private Task AddAsync(byte[] bytes, byte[] signature)
        => _redis.GetDatabase().StreamAddAsync(_stream, [new NameValueEntry("d", bytes), new NameValueEntry("s", signature)], maxLength: MaxStreamLength, useApproximateMaxLength: true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
