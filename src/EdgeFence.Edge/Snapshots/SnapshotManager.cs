using System.Diagnostics;
using System.Security.Cryptography;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Core.Validation;
using EdgeFence.Edge.Hosting;
using EdgeFence.Edge.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Snapshots;

/// <summary>
/// Owns the snapshot the edge serves: verifies, decodes, validates and compiles a candidate whole,
/// persists it, then publishes it with one volatile write. A bad or stale candidate changes nothing.
/// </summary>
internal sealed class SnapshotManager : IDisposable
{
    /// <summary>
    /// A replaced state of at least this many tokens is worth a collection of its own (see
    /// <see cref="ReclaimAsync"/>): a million tokens are about 350 MiB of garbage.
    /// </summary>
    private const int LargeStateTokens = 100_000;

    /// <summary>
    /// The delta log may grow to the size of the persisted snapshot, and to this much at least. Threat: every start
    /// replays (and verifies) the whole log, and it sits on the edge's disk; unbounded, a long run of deltas would
    /// make starts ever slower and fill the disk. Past it the edge asks for a full snapshot, which empties the log.
    /// </summary>
    private const long MinDeltaLogBudget = 16L * 1024 * 1024;

    private readonly ECDsa? _publicKey;
    private readonly string _persistPath;
    private readonly string _deltaLogPath;
    private long _deltaLogBytes;
    private long _snapshotFileBytes;
    private readonly ILogger _logger;
    private readonly Lock _applyLock = new();
    private volatile EdgeState? _current;
    private bool _disposed;

    public SnapshotManager(ECDsa? publicKey, string dataDirectory, ILogger logger)
    {
        _publicKey = publicKey;
        _persistPath = Path.Combine(dataDirectory, "snapshot.bin");
        _deltaLogPath = Path.Combine(dataDirectory, "snapshot.deltas");
        _logger = logger;
    }

    /// <summary>The state requests use; null until a snapshot is loaded.</summary>
    public EdgeState? Current => _current;

    public string PersistPath => _persistPath;

    /// <summary>Called with the version after a pushed or pulled snapshot is served (not one loaded from disk).</summary>
    public Action<long>? Applied { get; set; }

    /// <summary>
    /// Loads the persisted snapshot and the configured initial one and serves the newer.
    /// A configured snapshot that is unusable is a start-up error; an unusable persisted one is logged and skipped.
    /// </summary>
    public void LoadAtStart(string? configuredPath)
    {
        if (File.Exists(_persistPath))
        {
            var result = PersistedSnapshot.TryRead(File.ReadAllBytes(_persistPath), out var persisted, out var signature)
                ? TryApply(persisted, signature, persist: false)
                : SnapshotApplyResult.Rejected("not an EdgeFence snapshot envelope");
            if (result.Status == SnapshotApplyStatus.Applied)
            {
                Log.SnapshotLoaded(_logger, result.Version, _persistPath);
            }
            else
            {
                Log.PersistedSnapshotUnusable(_logger, _persistPath, result.Detail);
            }

            _snapshotFileBytes = new FileInfo(_persistPath).Length;
        }

        ReplayDeltaLog();

        if (!string.IsNullOrEmpty(configuredPath))
        {
            if (!File.Exists(configuredPath))
            {
                throw new EdgeConfigurationException("EdgeFence:SnapshotPath", $"file '{configuredPath}' does not exist");
            }

            var result = TryApply(File.ReadAllBytes(configuredPath), ReadSignatureFile(configuredPath), persist: true);
            switch (result.Status)
            {
                case SnapshotApplyStatus.Applied:
                    Log.SnapshotLoaded(_logger, result.Version, configuredPath);
                    break;
                case SnapshotApplyStatus.Stale:
                    // The persisted one is newer (pushed after the file was written): keep serving it.
                    Log.ConfiguredSnapshotOlder(_logger, configuredPath, result.Detail);
                    break;
                default:
                    throw new EdgeConfigurationException("EdgeFence:SnapshotPath", $"'{configuredPath}': {result.Detail}{(result.Errors.Count > 0 ? ": " + result.Errors[0] : "")}");
            }
        }

        // Nothing is served yet, so a compacting collection pauses no request, and it hands the file
        // bytes and decoding garbage of a large snapshot back to the OS before the edge settles.
        if (_current is { } loaded && loaded.Tokens.Count >= LargeStateTokens)
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    public SnapshotApplyResult TryApply(byte[] bytes, byte[]? signature, bool persist = true)
    {
        // 1-3. Signature, decode, validation (SignedDocument).
        if (!SignedDocument.TryRead(_publicKey, bytes, signature, "snapshot", static b => SnapshotSerializer.Deserialize(b), SnapshotValidator.Validate, out Snapshot? snapshot, out var rejection))
        {
            return rejection;
        }

        // The hash the next delta must name: the one the control plane declared, else that of these bytes.
        var stateHash = snapshot.StateHash.Length == StateHash.Length ? snapshot.StateHash : StateHash.Of(bytes);

        lock (_applyLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // 4. Strictly newer only: an old snapshot replayed (or delivered late) must not roll config back.
            var current = _current;
            if (current is not null && snapshot.Version <= current.Version)
            {
                return new SnapshotApplyResult(SnapshotApplyStatus.Stale, $"snapshot version {snapshot.Version} is not newer than the serving version {current.Version}", current.Version, []);
            }

            // 5. Compile (builds the token index) off to the side.
            var state = EdgeStateBuilder.Build(snapshot, stateHash);

            // 6. Persist before publishing, so a restart never serves older than what was acknowledged.
            if (persist)
            {
                try
                {
                    PersistedSnapshot.WriteFile(_persistPath, bytes, signature);
                    _snapshotFileBytes = bytes.Length;

                    DropDeltaLog();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.SnapshotPersistFailed(_logger, _persistPath, ex);
                    return new SnapshotApplyResult(SnapshotApplyStatus.NotPersisted, "snapshot could not be persisted: " + ex.Message, snapshot.Version, []);
                }
            }

            // 7. Publish: one volatile write.
            _current = state;
            if (persist)
            {
                Applied?.Invoke(state.Version);
            }

            if (current is not null && current.Tokens.Count >= LargeStateTokens)
            {
                _ = ReclaimAsync();
            }

            return new SnapshotApplyResult(SnapshotApplyStatus.Applied, "applied", snapshot.Version, []);
        }
    }

    /// <summary>
    /// Applies a delta (see <see cref="SnapshotDelta"/>) to exactly the state it names as its base, compiling only its
    /// tokens; anything else answers <see cref="SnapshotApplyStatus.NeedsFullSnapshot"/> and changes nothing.
    /// </summary>
    public SnapshotApplyResult TryApplyDelta(byte[] bytes, byte[]? signature, bool persist = true)
    {
        var started = Stopwatch.GetTimestamp();

        // 1-2. Signature and decode (SignedDocument); the delta is validated against the state it applies to, in 5.
        if (!SignedDocument.TryRead(_publicKey, bytes, signature, "delta", static b => SnapshotSerializer.DeserializeDelta(b), static _ => [], out SnapshotDelta? delta, out var rejection))
        {
            return rejection;
        }

        lock (_applyLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _current;

            // 3. Newer only, as for a snapshot: a delta replayed or delivered late must not roll config back.
            if (current is null)
            {
                return new SnapshotApplyResult(SnapshotApplyStatus.NeedsFullSnapshot, "no snapshot is served yet: a delta needs a base", 0, []);
            }

            if (delta.Version <= current.Version)
            {
                return new SnapshotApplyResult(SnapshotApplyStatus.Stale, $"delta version {delta.Version} is not newer than the serving version {current.Version}", current.Version, []);
            }

            // 4. Exactly its base, by version and by hash: the same version reached another way (a control plane
            // restored from a backup, another control plane) is another state.
            if (delta.BaseVersion != current.Version || !CryptographicOperations.FixedTimeEquals(delta.BaseStateHash, current.StateHash))
            {
                return new SnapshotApplyResult(
                    SnapshotApplyStatus.NeedsFullSnapshot,
                    $"delta applies to version {delta.BaseVersion} (state {StateHash.ToHex(delta.BaseStateHash)}), this edge serves version {current.Version} (state {StateHash.ToHex(current.StateHash)})",
                    current.Version,
                    []);
            }

            // 5. Validate against the sites and plans served.
            var errors = SnapshotValidator.ValidateDelta(delta, current.SitesById.ContainsKey, plan => current.PlansById.TryGetValue(plan, out var p) ? p.Plan.SiteId : null);
            if (errors.Count > 0)
            {
                return SnapshotApplyResult.Rejected($"delta is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")})", errors);
            }

            var entryBytes = 12L + (signature?.Length ?? 0) + bytes.Length;
            var budget = Math.Max(MinDeltaLogBudget, _snapshotFileBytes);
            if (persist && _deltaLogBytes + entryBytes > budget)
            {
                return new SnapshotApplyResult(SnapshotApplyStatus.NeedsFullSnapshot, $"the delta log would pass {budget} bytes (it holds {_deltaLogBytes}): a full snapshot replaces it", current.Version, []);
            }

            // 6. Compile the delta's tokens on top of the served table (shared, not copied).
            var overlayBefore = current.Tokens.OverlayCount;
            var state = EdgeStateBuilder.ApplyDelta(current, delta, StateHash.Of(bytes));

            // 7. Persist before publishing, so a restart never serves older than what was acknowledged.
            if (persist)
            {
                try
                {
                    PersistedDeltaLog.Append(_deltaLogPath, bytes, signature);
                    _deltaLogBytes += entryBytes;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.DeltaPersistFailed(_logger, _deltaLogPath, ex);
                    CutDeltaLog(_deltaLogBytes);
                    return new SnapshotApplyResult(SnapshotApplyStatus.NotPersisted, "delta could not be persisted: " + ex.Message, current.Version, []);
                }
            }

            // 8. Publish: one volatile write.
            _current = state;
            if (persist)
            {
                Applied?.Invoke(state.Version);
            }

            if (state.Tokens.OverlayCount == 0 && overlayBefore + delta.Tokens.Count + delta.RemovedTokenHashes.Count > 0)
            {
                Log.TokenTableCompacted(_logger, state.Version, state.Tokens.Count);
            }

            Log.DeltaApplied(_logger, delta.BaseVersion, delta.Version, delta.Tokens.Count, delta.RemovedTokenHashes.Count, state.Tokens.OverlayCount, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new SnapshotApplyResult(SnapshotApplyStatus.Applied, "applied", delta.Version, []);
        }
    }

    /// <summary>
    /// At start, after the persisted snapshot: its deltas, in order. One older than what is served (left by a crash
    /// between a full snapshot's write and the log's removal) is skipped; the first that does not apply, and a torn
    /// tail, cut the log there, so the next append follows the last good entry.
    /// </summary>
    private void ReplayDeltaLog()
    {
        if (!File.Exists(_deltaLogPath))
        {
            return;
        }

        var file = File.ReadAllBytes(_deltaLogPath);
        var entries = PersistedDeltaLog.Read(file, out var validLength);
        var applied = 0;
        foreach (var (offset, delta, signature) in entries)
        {
            var result = TryApplyDelta(delta, signature, persist: false);
            if (result.Status == SnapshotApplyStatus.Applied)
            {
                applied++;
            }
            else if (result.Status != SnapshotApplyStatus.Stale)
            {
                Log.DeltaLogUnusable(_logger, _deltaLogPath, result.Detail);
                validLength = offset;
                break;
            }
        }

        if (validLength < file.Length)
        {
            if (validLength == (entries.Count == 0 ? 0 : entries[^1].Offset + 12 + (entries[^1].Signature?.Length ?? 0) + entries[^1].Delta.Length))
            {
                // Past the last whole entry: a torn append (never acknowledged) or bytes that are not an entry.
                Log.DeltaLogUnusable(_logger, _deltaLogPath, $"{file.Length - validLength} bytes after the last whole entry");
            }

            CutDeltaLog(validLength);
        }

        _deltaLogBytes = validLength;
        if (applied > 0)
        {
            Log.DeltasReplayed(_logger, applied, _deltaLogPath, _current!.Version);
        }
    }

    /// <summary>
    /// The deltas on the replaced snapshot are history. Should the removal fail (or the edge crash first), the replay
    /// at start skips them as older than the snapshot and the next delta is appended after them: nothing is lost.
    /// </summary>
    private void DropDeltaLog()
    {
        try
        {
            File.Delete(_deltaLogPath);
            _deltaLogBytes = 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DeltaPersistFailed(_logger, _deltaLogPath, ex);
        }
    }

    private void CutDeltaLog(long length)
    {
        try
        {
            PersistedDeltaLog.Truncate(_deltaLogPath, length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next start cuts it again (the entry past the good ones does not apply), and until then no
            // delta is acknowledged without its own append succeeding.
            Log.DeltaPersistFailed(_logger, _deltaLogPath, ex);
        }
    }

    private static byte[]? ReadSignatureFile(string snapshotPath)
    {
        var path = snapshotPath + ".sig";
        return File.Exists(path) && SnapshotSigner.TryDecodeSignature(File.ReadAllText(path).Trim(), out var signature) ? signature : null;
    }

    /// <summary>
    /// The replaced state is garbage as soon as the requests that read it return (microseconds), but a
    /// background collection only frees it inside the heap: measured with 1M tokens, the edge stayed at
    /// 911 MiB resident 30 s after a full push (368 MiB before it). A second after the swap, one
    /// aggressive collection (blocking, compacting, decommitting) hands that memory back to the OS. It
    /// pauses requests once per large replacement (logged with its length); a full re-push of a large
    /// snapshot is rare, and holding twice the memory until the next one is the worse deal for a POP
    /// sized for one state.
    /// </summary>
    private async Task ReclaimAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        var pausedBefore = GC.GetTotalPauseDuration();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var pause = GC.GetTotalPauseDuration() - pausedBefore;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        Log.SnapshotStateReclaimed(_logger, (long)pause.TotalMilliseconds, process.WorkingSet64 / (1024 * 1024));
    }

    public void Dispose()
    {
        lock (_applyLock)
        {
            _disposed = true;
            _current = null;
        }
    }
}
