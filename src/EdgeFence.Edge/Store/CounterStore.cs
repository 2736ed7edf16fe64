using FASTER.core;

namespace EdgeFence.Edge.Store;

/// <summary>
/// The edge's durable counters: one <see cref="EntitlementCounters"/> record per entitlement in a
/// FASTER store on disk under DataDir, checkpointed on an interval and at shutdown and recovered at
/// start, so a restarted edge keeps its counts.
/// </summary>
internal sealed class CounterStore : IDisposable
{
    // Record: 8-byte header + 16-byte key + the value (18 x int64).
    private static readonly int RecordBytes = 8 + System.Runtime.CompilerServices.Unsafe.SizeOf<Key128>() + System.Runtime.CompilerServices.Unsafe.SizeOf<EntitlementCounters>();

    private readonly FasterKV<Key128, EntitlementCounters> _store;
    private readonly SessionPool<ClientSession<Key128, EntitlementCounters, EnforceInput, EnforceOutput, Empty, CounterFunctions>> _sessions;
    private readonly IDevice _log;
    private readonly SemaphoreSlim _checkpointLock = new(1, 1);

    // Set by every update, cleared by a checkpoint: an idle edge writes no checkpoints. Read before
    // written so a busy edge does not bounce the cache line between cores on every request.
    private volatile bool _dirty;

    /// <summary>
    /// Layout of <see cref="EntitlementCounters"/> on disk. FASTER stores the struct's bytes as they
    /// are: a store written with another layout must never be read as this one.
    /// </summary>
    private const string Format = "entitlement-counters-v3 (18 x int64)";

    public CounterStore(string directory, long expectedEntitlements)
    {
        Directory.CreateDirectory(directory);
        var formatFile = Path.Combine(directory, "FORMAT");
        if (File.Exists(formatFile) && File.ReadAllText(formatFile).Trim() != Format)
        {
            throw new Hosting.EdgeConfigurationException("EdgeFence:DataDir", $"the counters in '{directory}' were written by an incompatible EdgeFence version; move them away to start fresh");
        }

        File.WriteAllText(formatFile, Format + "\n");
        _log = Devices.CreateLogDevice(Path.Combine(directory, "counters.log"), preallocateFile: false, deleteOnClose: false);
        _store = new FasterKV<Key128, EntitlementCounters>(new FasterKVSettings<Key128, EntitlementCounters>(null, false)
        {
            IndexSize = FasterSizing.IndexBytes(expectedEntitlements),
            PageSize = FasterSizing.PageSize,
            MemorySize = FasterSizing.MemoryBytes(expectedEntitlements, RecordBytes),
            LogDevice = _log,
            EqualityComparer = Key128.Comparer.Instance,
            CheckpointDir = Path.Combine(directory, "checkpoints"),
            RemoveOutdatedCheckpoints = true,
            TryRecoverLatest = true,
            // Transient bucket locks make each read-modify-write exclusive for its key.
            ConcurrencyControlMode = ConcurrencyControlMode.LockTable,
        });
        var functions = new CounterFunctions();
        _sessions = new(() => _store.For(functions).NewSession<CounterFunctions>());
        RecoveredVersion = _store.RecoveredVersion;
    }

    /// <summary>FASTER's version after recovery; 1 on a fresh store.</summary>
    public long RecoveredVersion { get; }

    /// <summary>Checks and counts one request atomically for one entitlement.</summary>
    public void Enforce(in Key128 key, ref EnforceInput input, out EnforceOutput output)
    {
        output = default;
        if (input.Operation != EnforceOperation.Read && !_dirty)
        {
            _dirty = true;
        }

        var session = _sessions.Rent();
        try
        {
            var k = key;
            var status = session.RMW(ref k, ref input, ref output);
            if (status.IsPending)
            {
                // The record was on disk (after recovery of a store larger than memory): wait for it.
                session.CompletePendingWithOutputs(out var outputs, wait: true);
                using (outputs)
                {
                    while (outputs.Next())
                    {
                        output = outputs.Current.Output;
                    }
                }
            }
        }
        finally
        {
            _sessions.Return(session);
        }
    }

    /// <summary>
    /// Takes a full checkpoint (index, and a snapshot of the in-memory log) and waits until it is
    /// durable. Skipped, returning false, when nothing changed since the last one.
    /// </summary>
    public async Task<bool> CheckpointAsync(CancellationToken cancellationToken)
    {
        await _checkpointLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_dirty)
            {
                return false;
            }

            // Cleared before the checkpoint starts: an update racing with it marks the store dirty again.
            _dirty = false;
            var (success, _) = await _store.TakeFullCheckpointAsync(CheckpointType.Snapshot, cancellationToken).ConfigureAwait(false);
            if (!success)
            {
                _dirty = true;
            }

            return success;
        }
        catch
        {
            _dirty = true;
            throw;
        }
        finally
        {
            _checkpointLock.Release();
        }
    }

    public void Dispose()
    {
        _sessions.Dispose();
        _store.Dispose();
        _log.Dispose();
        _checkpointLock.Dispose();
    }
}
