using FASTER.core;

namespace EdgeFence.Edge.Store;

/// <summary>
/// Token hash → position of the token in one compiled snapshot, in a FASTER store that belongs to that
/// snapshot alone. Built once, then only read; swapping snapshots swaps the whole index with them, so
/// a request sees the old tokens with the old config or the new with the new, never a mix.
/// Memory-only (<see cref="NullDevice"/>): tokens come from the persisted snapshot, not from here.
/// </summary>
internal sealed class TokenIndex : IDisposable
{
    // Record: 8-byte header + 16-byte key + 8-byte value (int, padded).
    private const int RecordBytes = 32;

    private readonly FasterKV<Key128, int> _store;
    private readonly SessionPool<ClientSession<Key128, int, int, int, Empty, SimpleFunctions<Key128, int>>> _sessions;

    public TokenIndex(int capacity)
    {
        _store = new FasterKV<Key128, int>(new FasterKVSettings<Key128, int>(null, false)
        {
            IndexSize = FasterSizing.IndexBytes(capacity),
            PageSize = FasterSizing.PageSize,
            MemorySize = FasterSizing.MemoryBytes(capacity, RecordBytes),
            LogDevice = new NullDevice(),
            EqualityComparer = Key128.Comparer.Instance,
            // Written by one thread before publication, read-only afterwards: no locking needed.
            ConcurrencyControlMode = ConcurrencyControlMode.None,
        });
        var functions = new SimpleFunctions<Key128, int>();
        _sessions = new(() => _store.For(functions).NewSession<SimpleFunctions<Key128, int>>());
    }

    /// <summary>
    /// Adds the keys of tokens 0 … count-1 while the index is being built (one thread, before
    /// publication), through one session: renting one per key costs a third of the build.
    /// </summary>
    public void AddAll(int count, Func<int, Key128> keyOf)
    {
        var session = _sessions.Rent();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var k = keyOf(i);
                var v = i;
                session.Upsert(ref k, ref v);
            }
        }
        finally
        {
            _sessions.Return(session);
        }
    }

    public bool TryGet(in Key128 key, out int ordinal)
    {
        var session = _sessions.Rent();
        try
        {
            var k = key;
            ordinal = -1;
            var status = session.Read(ref k, ref ordinal);
            if (status.IsPending)
            {
                // Never expected (the log is sized to stay in memory); handled for correctness.
                session.CompletePendingWithOutputs(out var outputs, wait: true);
                using (outputs)
                {
                    while (outputs.Next())
                    {
                        status = outputs.Current.Status;
                        ordinal = outputs.Current.Output;
                    }
                }
            }

            return status.Found;
        }
        finally
        {
            _sessions.Return(session);
        }
    }

    public void Dispose()
    {
        _sessions.Dispose();
        _store.Dispose();
    }
}
