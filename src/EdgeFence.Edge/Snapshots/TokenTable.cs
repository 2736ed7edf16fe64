using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Snapshots;

/// <summary>
/// The tokens of one served state: an immutable base (the tokens of the last full snapshot, or of the last
/// compaction) plus a small overlay of what deltas changed since, so a delta of a thousand tokens costs a thousand
/// tokens of work, not a million. Immutable once published, like the state that holds it: a delta builds a new
/// table that shares the base and copies the (small) overlay, and readers never see a table being written.
/// </summary>
/// <remarks>
/// Every token hash keeps one ordinal for the lifetime of the base it was first seen with: a changed token is
/// replaced at its ordinal, a removed one leaves a hole (null), a new one takes the next ordinal. So a
/// <see cref="VerifiedTokenCache"/> entry (tag → ordinal) stays right across deltas, and the cache is shared by
/// every state built from one full snapshot. A token whose hash changed (rotation) is a new token with a new
/// ordinal. Lookups allocate nothing: two dictionary reads at most.
/// </remarks>
internal sealed class TokenTable
{
    /// <summary>
    /// The overlay is folded into a new base once it holds this many entries or an eighth of the base, whichever is
    /// more: each delta copies the overlay, so it must stay small next to the delta, and a compaction (a copy of the
    /// base array and index, about 20 ms at a million tokens) is paid once per many deltas.
    /// </summary>
    private const int MinCompactionOverlay = 4096;

    private readonly TokenRuntime?[] _base;
    private readonly Dictionary<Key128, int> _baseIndex;

    // Ordinal → the token that replaces the base's (null: removed); includes every ordinal past the base.
    private readonly Dictionary<int, TokenRuntime?> _overlay;

    // Hash → ordinal for tokens first seen after the base was built (ordinals from _base.Length on).
    private readonly Dictionary<Key128, int> _addedIndex;

    private TokenTable(TokenRuntime?[] baseTokens, Dictionary<Key128, int> baseIndex, Dictionary<int, TokenRuntime?> overlay, Dictionary<Key128, int> addedIndex, int count)
    {
        _base = baseTokens;
        _baseIndex = baseIndex;
        _overlay = overlay;
        _addedIndex = addedIndex;
        Count = count;
    }

    /// <summary>Tokens served (holes of removed tokens not counted).</summary>
    public int Count { get; }

    /// <summary>Ordinals handed out: the bound of every ordinal this table or its cache can hold.</summary>
    public int OrdinalCount => _base.Length + _addedIndex.Count;

    /// <summary>Entries deltas put on top of the base since it was built.</summary>
    public int OverlayCount => _overlay.Count;

    /// <summary>A table of exactly <paramref name="tokens"/>, ordinals in their order; a repeated hash keeps the first.</summary>
    public static TokenTable Create(TokenRuntime[] tokens)
    {
        var index = new Dictionary<Key128, int>(tokens.Length);
        for (var i = 0; i < tokens.Length; i++)
        {
            // Validation refuses snapshots with repeated hashes.
            index.TryAdd(Key128.FromHash(tokens[i].Hash), i);
        }

        return new TokenTable(tokens, index, [], [], tokens.Length);
    }

    /// <summary>The ordinal of the token with this hash key, if it was ever in this table (it may be removed: see <see cref="Get"/>).</summary>
    public bool TryFind(in Key128 key, out int ordinal)
        => (_addedIndex.Count != 0 && _addedIndex.TryGetValue(key, out ordinal)) || _baseIndex.TryGetValue(key, out ordinal);

    /// <summary>The token at <paramref name="ordinal"/>, or null when it was removed or is unknown to this table.</summary>
    public TokenRuntime? Get(int ordinal)
    {
        if (_overlay.Count != 0 && _overlay.TryGetValue(ordinal, out var replaced))
        {
            return replaced;
        }

        return (uint)ordinal < (uint)_base.Length ? _base[ordinal] : null;
    }

    /// <summary>The token at <paramref name="ordinal"/> (see <see cref="Get"/>).</summary>
    public TokenRuntime? this[int ordinal] => Get(ordinal);

    /// <summary>
    /// A new table with <paramref name="upserts"/> added or replaced (matched by hash) and the tokens of
    /// <paramref name="removed"/> taken out (an unknown hash changes nothing). This table is not changed.
    /// </summary>
    public TokenTable With(IReadOnlyList<TokenRuntime> upserts, IReadOnlyList<Key128> removed)
    {
        var overlay = new Dictionary<int, TokenRuntime?>(_overlay);
        var added = _addedIndex.Count == 0 ? [] : new Dictionary<Key128, int>(_addedIndex);
        var count = Count;
        var nextOrdinal = _base.Length + added.Count;
        foreach (var token in upserts)
        {
            var key = Key128.FromHash(token.Hash);
            if (!added.TryGetValue(key, out var ordinal) && !_baseIndex.TryGetValue(key, out ordinal))
            {
                ordinal = nextOrdinal++;
                added[key] = ordinal;
            }

            if (GetFrom(overlay, ordinal) is null)
            {
                count++;
            }

            overlay[ordinal] = token;
        }

        foreach (var key in removed)
        {
            if ((added.TryGetValue(key, out var ordinal) || _baseIndex.TryGetValue(key, out ordinal)) && GetFrom(overlay, ordinal) is not null)
            {
                overlay[ordinal] = null;
                count--;
            }
        }

        return overlay.Count >= Math.Max(MinCompactionOverlay, _base.Length / 8)
            ? Compact(overlay, added, count)
            : new TokenTable(_base, _baseIndex, overlay, added, count);
    }

    /// <summary>Every token served, in ordinal order (for start-up scans; allocates nothing).</summary>
    public Enumerator GetEnumerator() => new(this);

    private TokenRuntime? GetFrom(Dictionary<int, TokenRuntime?> overlay, int ordinal)
        => overlay.TryGetValue(ordinal, out var replaced) ? replaced : (uint)ordinal < (uint)_base.Length ? _base[ordinal] : null;

    /// <summary>The overlay folded into a new base, every ordinal kept (holes stay null), so caches stay right.</summary>
    private TokenTable Compact(Dictionary<int, TokenRuntime?> overlay, Dictionary<Key128, int> added, int count)
    {
        var tokens = new TokenRuntime?[_base.Length + added.Count];
        Array.Copy(_base, tokens, _base.Length);
        foreach (var (ordinal, token) in overlay)
        {
            tokens[ordinal] = token;
        }

        // Copying a dictionary of the same type copies its buckets and entries without rehashing.
        var index = new Dictionary<Key128, int>(_baseIndex);
        foreach (var (key, ordinal) in added)
        {
            index[key] = ordinal;
        }

        return new TokenTable(tokens, index, [], [], count);
    }

    public struct Enumerator
    {
        private readonly TokenTable _table;
        private int _ordinal;

        public Enumerator(TokenTable table)
        {
            _table = table;
            _ordinal = -1;
            Current = null!;
        }

        public TokenRuntime Current { get; private set; }

        public bool MoveNext()
        {
            while (++_ordinal < _table.OrdinalCount)
            {
                if (_table.Get(_ordinal) is { } token)
                {
                    Current = token;
                    return true;
                }
            }

            return false;
        }
    }
}
