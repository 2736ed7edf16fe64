namespace EdgeFence.Edge.Revocations;

/// <summary>
/// Tokens the revocation channel revoked that the served snapshot may not know about yet: token id → the snapshot
/// version that carries the revocation. The decision path refuses a token listed here while the served snapshot is
/// older than that version; once a snapshot at or past it is served, the entry is dropped (the snapshot says it).
/// No rebuild of the snapshot state: one dictionary, replaced whole on the rare write, read without a lock.
/// </summary>
internal sealed class RevocationOverlay
{
    private readonly Lock _writeLock = new();
    private volatile Dictionary<string, long> _revoked = [];

    public int Count => _revoked.Count;

    /// <summary>True when <paramref name="tokenId"/> was revoked in a snapshot newer than <paramref name="servedVersion"/>. Allocates nothing.</summary>
    public bool IsRevoked(string tokenId, long servedVersion)
    {
        var revoked = _revoked;
        return revoked.Count != 0 && revoked.TryGetValue(tokenId, out var version) && version > servedVersion;
    }

    /// <summary>Adds a revocation unless the served snapshot already carries it. False when it changed nothing.</summary>
    public bool Add(string tokenId, long version, long servedVersion)
    {
        if (version <= servedVersion)
        {
            return false;
        }

        lock (_writeLock)
        {
            var current = _revoked;
            if (current.TryGetValue(tokenId, out var known) && known <= version)
            {
                return false;
            }

            _revoked = new Dictionary<string, long>(current) { [tokenId] = version };
            return true;
        }
    }

    /// <summary>Drops what a snapshot of <paramref name="servedVersion"/> (now served) carries.</summary>
    public void Prune(long servedVersion)
    {
        lock (_writeLock)
        {
            var current = _revoked;
            if (current.Count == 0)
            {
                return;
            }

            var kept = new Dictionary<string, long>();
            foreach (var (id, version) in current)
            {
                if (version > servedVersion)
                {
                    kept[id] = version;
                }
            }

            _revoked = kept;
        }
    }
}
