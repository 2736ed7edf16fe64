namespace EdgeFence.AspNetCore.Signature;

/// <summary>
/// The request ids of accepted requests, each remembered until its signature could no longer pass
/// the timestamp check (signed time + tolerance); after that the timestamp check alone refuses a replay.
/// <para>
/// Bounded: every signed request adds an entry, and unprotected paths are signed too, so anyone who
/// can reach the edge can make the origin remember ids as fast as the edge forwards. Unbounded, that
/// is memory exhaustion of the origin. When full, the id whose window ends soonest is forgotten
/// first: it is the one whose replay the timestamp check will refuse soonest.
/// </para>
/// One lock around a dictionary and a heap: the work under it is a hash lookup and O(log n) heap
/// steps, far below the HMAC the request has already paid for.
/// </summary>
internal sealed class ReplayCache
{
    private readonly int _capacity;
    private readonly Dictionary<string, long> _expiryById;
    private readonly PriorityQueue<string, long> _byExpiry;
    private readonly Lock _lock = new();

    public ReplayCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _expiryById = new Dictionary<string, long>(StringComparer.Ordinal);
        _byExpiry = new PriorityQueue<string, long>();
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _expiryById.Count;
            }
        }
    }

    /// <summary>
    /// Records <paramref name="requestId"/> until <paramref name="expiresAtUnix"/>. False when it is
    /// already recorded and not yet expired at <paramref name="nowUnix"/>: a replay.
    /// </summary>
    public bool TryAdd(string requestId, long expiresAtUnix, long nowUnix)
    {
        lock (_lock)
        {
            // Expired ids go first, so a full cache of stale entries never forgets a live one.
            while (_byExpiry.TryPeek(out var oldest, out var expiry) && expiry < nowUnix)
            {
                _byExpiry.Dequeue();
                _expiryById.Remove(oldest);
            }

            if (_expiryById.ContainsKey(requestId))
            {
                return false;
            }

            if (_expiryById.Count >= _capacity)
            {
                _expiryById.Remove(_byExpiry.Dequeue());
            }

            _expiryById.Add(requestId, expiresAtUnix);
            _byExpiry.Enqueue(requestId, expiresAtUnix);
            return true;
        }
    }
}
