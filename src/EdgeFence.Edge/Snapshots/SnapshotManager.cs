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

    private readonly ECDsa? _publicKey;
    private readonly string _persistPath;
    private readonly ILogger _logger;
    private readonly Lock _applyLock = new();
    private volatile EdgeState? _current;
    private bool _disposed;

    public SnapshotManager(ECDsa? publicKey, string dataDirectory, ILogger logger)
    {
        _publicKey = publicKey;
        _persistPath = Path.Combine(dataDirectory, "snapshot.bin");
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
        }

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
        if (_current is { } loaded && loaded.Tokens.Length >= LargeStateTokens)
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
            var state = EdgeStateBuilder.Build(snapshot);

            // 6. Persist before publishing, so a restart never serves older than what was acknowledged.
            if (persist)
            {
                try
                {
                    PersistedSnapshot.WriteFile(_persistPath, bytes, signature);
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

            if (current is not null && current.Tokens.Length >= LargeStateTokens)
            {
                _ = ReclaimAsync();
            }

            return new SnapshotApplyResult(SnapshotApplyStatus.Applied, "applied", snapshot.Version, []);
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
