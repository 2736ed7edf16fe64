using EdgeFence.ControlPlane.Revocations;
using EdgeFence.ControlPlane.Edges;
using EdgeFence.ControlPlane.Logging;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Snapshots;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Telemetry;
using EdgeFence.Core.Channel;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Changes;

/// <summary>
/// Runs every change the same way: one writer at a time, one SQLite transaction holding the change, the
/// next snapshot version and its signed bytes; commit; then push to the edges and wait (bounded) for them.
/// </summary>
/// <remarks>
/// Waiting before answering is what makes "the DELETE returned" mean "every reachable edge refuses the
/// token": the edges that answered took the snapshot before the client hears back, well inside the one
/// second the revocation promise allows. An edge that is down does not hold the answer beyond
/// <c>ControlPlane:PushWaitMilliseconds</c>; the pusher keeps retrying it. Every change waits, not only
/// revocations, so a token is also usable at the edges as soon as its creation returns.
/// </remarks>
internal sealed class ChangeRunner
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Database _database;
    private readonly SnapshotIssuer _issuer;
    private readonly EdgePusher _pusher;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pushWait;
    private readonly ILogger _logger;
    private readonly ControlPlaneMetrics? _metrics;
    private readonly ChannelOutbox? _outbox;
    private readonly ChannelPublisher? _channel;

    public ChangeRunner(Database database, SnapshotIssuer issuer, EdgePusher pusher, TimeProvider time, TimeSpan pushWait, ILogger logger, ControlPlaneMetrics? metrics = null, ChannelOutbox? outbox = null, ChannelPublisher? channel = null)
    {
        _outbox = outbox;
        _channel = channel;
        _metrics = metrics;
        _database = database;
        _issuer = issuer;
        _pusher = pusher;
        _time = time;
        _pushWait = pushWait;
        _logger = logger;
    }

    /// <summary>
    /// Runs <paramref name="apply"/> in a transaction and commits it with a new snapshot version, or, if it
    /// or the snapshot's validation throws, rolls everything back and rethrows. <paramref name="kind"/> (site, plan,
    /// resource, token, snapshot) labels the change in <c>edgefence_controlplane_changes_total</c>.
    /// </summary>
    public async Task<T> RunAsync<T>(string kind, string description, Func<Change, T> apply, CancellationToken cancellationToken)
    {
        T result;
        IssuedVersion? issued = null;
        long outboxId;
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = _database.Open();

            // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken now, not at the first write.
            using var transaction = connection.BeginTransaction();
            var change = new Change(connection, transaction, _time.GetUtcNow());
            try
            {
                result = apply(change);
                if (!change.Unchanged)
                {
                    issued = _issuer.Issue(change);

                    // The revocation channel's entries, in this transaction: they commit with the change or not at all.
                    if (_outbox is not null)
                    {
                        foreach (var tokenId in change.RevokedTokens)
                        {
                            _outbox.Append(change, ChannelEntry.Revoke(tokenId, issued.Version, change.Now.ToUnixTimeMilliseconds()));
                        }
                    }
                }
            }
            catch (ApiProblemException ex)
            {
                // Disposing the transaction uncommitted rolls back whatever the change wrote.
                Log.ChangeRefused(_logger, description, ex.Message);
                throw;
            }

            transaction.Commit();
            if (change.OutboxId > 0)
            {
                _outbox!.Committed.Set();
            }

            outboxId = change.OutboxId;

            // Published under the writer lock, so versions reach the pusher in the order they were committed.
            if (issued?.Full is { } full)
            {
                _pusher.Publish(full);
            }
            else if (issued?.Delta is { } delta)
            {
                _pusher.PublishDelta(delta);
            }
        }
        finally
        {
            _writer.Release();
        }

        if (issued is not null)
        {
            Log.ChangeCommitted(_logger, description, issued.Version);
            _metrics?.Changed(kind);
            var edges = _pusher.WaitForEdgesAsync(issued.Version, _pushWait, cancellationToken);

            // A revocation also waits (as bounded) for the stream to have it: edges the push cannot reach read it there.
            if (outboxId > 0 && _channel is not null)
            {
                await _channel.WaitForPublishedAsync(outboxId, _pushWait, cancellationToken).ConfigureAwait(false);
            }

            await edges.ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// The full snapshot of the latest version, for an edge that cannot take a delta: the stored one, or built now
    /// under the writer lock (so no change moves the database on meanwhile) and stored. Changes wait meanwhile: at a
    /// million tokens this takes seconds, once per version an edge needs in full.
    /// </summary>
    public async Task<SignedSnapshot> LatestFullAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var connection = _database.Open();
            using var transaction = connection.BeginTransaction();
            var before = _pusher.Latest?.Version;
            var full = _issuer.LatestFull(new Change(connection, transaction, _time.GetUtcNow()));
            transaction.Commit();
            if (full.Version != before)
            {
                Log.FullSnapshotBuilt(_logger, full.Version, full.Bytes.Length, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return full;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// At start: the stored latest snapshot and the deltas after it, or version 1 of an empty configuration on a new
    /// database. A stored snapshot whose signature does not verify with the current key (the key was replaced) is
    /// issued again, in full, under a new version, so edges that trust the new key take it.
    /// </summary>
    public async Task<SignedSnapshot> InitializeAsync()
    {
        var latest = SnapshotIssuer.ReadLatest(_database);
        if (latest is not null && _issuer.Verifies(latest))
        {
            // The deltas first: the edges' loops, woken by the first publication, then see the latest version at once
            // (and probe an edge with the latest delta) instead of pushing the older full snapshot to edges already past it.
            foreach (var delta in SnapshotIssuer.ReadDeltasAfter(_database, latest.Version))
            {
                if (_issuer.Verifies(delta))
                {
                    _pusher.PublishDelta(delta);
                }
            }

            _pusher.Publish(latest);
            return latest;
        }

        await RunAsync("snapshot", "initial snapshot", change => change.RequireFullSnapshot = true, CancellationToken.None).ConfigureAwait(false);
        latest = SnapshotIssuer.ReadLatest(_database)!;
        if (latest.Version > 1)
        {
            Log.SnapshotResigned(_logger, latest.Version);
        }

        return latest;
    }
}
