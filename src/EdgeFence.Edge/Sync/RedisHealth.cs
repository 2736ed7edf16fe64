namespace EdgeFence.Edge.Sync;

/// <summary>
/// Whether Redis answers, per hash slot: on a Redis Cluster one master that stops answering sends only the
/// accounts whose ledger lives on its slots to the outage rules, while the other masters' accounts stay exact.
/// A standalone Redis (or a cluster whose layout is not known) is one range of every slot, so it behaves as one
/// flag. Read on the request path without locks (one byte per slot); changed only on a transition, under a lock.
/// </summary>
internal sealed class RedisHealth
{
    /// <summary>Redis Cluster's fixed number of hash slots.</summary>
    public const int SlotCount = 16384;

    private readonly byte[] _down = new byte[SlotCount];
    private readonly Lock _lock = new();
    private int _slotsDown;

    public bool IsUp(int slot) => Volatile.Read(ref _down[slot]) == 0;

    /// <summary>How many slots are currently judged down (0: all up; <see cref="SlotCount"/>: Redis is down as a whole).</summary>
    public int SlotsDown => Volatile.Read(ref _slotsDown);

    /// <summary>Marks the ranges up or down; true when any slot changed (so the caller logs a transition once).</summary>
    public bool Mark(IReadOnlyList<(int From, int To)> ranges, bool down)
    {
        var changed = false;
        lock (_lock)
        {
            var value = down ? (byte)1 : (byte)0;
            foreach (var (from, to) in ranges)
            {
                for (var slot = Math.Max(0, from); slot <= Math.Min(SlotCount - 1, to); slot++)
                {
                    if (_down[slot] != value)
                    {
                        Volatile.Write(ref _down[slot], value);
                        _slotsDown += down ? 1 : -1;
                        changed = true;
                    }
                }
            }
        }

        return changed;
    }
}
