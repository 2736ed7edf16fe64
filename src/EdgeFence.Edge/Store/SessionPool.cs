using System.Numerics;

namespace EdgeFence.Edge.Store;

/// <summary>
/// A small lock-free pool of FASTER client sessions. A session is single-threaded, and the decision
/// path runs without awaiting while it holds one, so a request rents a session for a few hundred
/// nanoseconds and gives it back. Slots are probed from the current thread's id so threads rarely
/// contend for the same slot. Written by hand: FASTER leaves session management to its users, and a
/// general object pool would cost a closure or an allocation per rent.
/// </summary>
internal sealed class SessionPool<TSession> : IDisposable
    where TSession : class, IDisposable
{
    private readonly TSession?[] _slots;
    private readonly int _mask;
    private readonly Func<TSession> _factory;
    private volatile bool _disposed;

    public SessionPool(Func<TSession> factory)
    {
        _factory = factory;
        // A power of two, so a slot is found with a mask instead of a division.
        _slots = new TSession?[BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, Environment.ProcessorCount * 4))];
        _mask = _slots.Length - 1;
    }

    public TSession Rent()
    {
        var slots = _slots;
        var start = Environment.CurrentManagedThreadId;
        for (var i = 0; i < slots.Length; i++)
        {
            var session = Interlocked.Exchange(ref slots[(start + i) & _mask], null);
            if (session is not null)
            {
                return session;
            }
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        return _factory();
    }

    public void Return(TSession session)
    {
        if (!_disposed)
        {
            var slots = _slots;
            var start = Environment.CurrentManagedThreadId;
            for (var i = 0; i < slots.Length; i++)
            {
                if (Interlocked.CompareExchange(ref slots[(start + i) & _mask], session, null) is null)
                {
                    return;
                }
            }
        }

        session.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        for (var i = 0; i < _slots.Length; i++)
        {
            Interlocked.Exchange(ref _slots[i], null)?.Dispose();
        }
    }
}
