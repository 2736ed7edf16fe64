namespace EdgeFence.Core.Paths;

/// <summary>
/// Finds the resource pattern a decoded request path belongs to. Built once per snapshot from all
/// of a site's patterns; immutable and safe to share between threads; allocates nothing per match.
/// </summary>
/// <remarks>
/// <para>
/// A segment trie: the cost of a match grows with the path's depth and the number of patterns that
/// could still match, not with the number of patterns. Each trie node is visited at most once per
/// match (a node's depth fixes which path segment it is compared with), so backtracking is bounded
/// by the trie's size even for adversarial paths.
/// </para>
/// <para>
/// Literal segments compare with <see cref="StringComparer.OrdinalIgnoreCase"/>: origins such as
/// ASP.NET Core route case-insensitively, so <c>/API/V1/x</c> must be charged like
/// <c>/api/v1/x</c>. Pattern literals are ASCII, and that comparer never folds a non-ASCII
/// character onto an ASCII one (U+017F, U+0131 and U+212A stay distinct from s, i and k), so this is
/// ASCII case-insensitivity.
/// </para>
/// </remarks>
public sealed class ResourceMatcher
{
    private readonly MatchNode _root;

    private ResourceMatcher(MatchNode root, int count)
    {
        _root = root;
        Count = count;
    }

    /// <summary>How many patterns the matcher was built from.</summary>
    public int Count { get; }

    /// <summary>
    /// Builds the trie. <c>EntryId</c> is the caller's index for the pattern (not negative); it is
    /// what <see cref="TryMatch"/> reports.
    /// </summary>
    /// <exception cref="ArgumentException">Two entries have the same <see cref="PathPattern.Canonical"/> pattern.</exception>
    public static ResourceMatcher Build(IReadOnlyList<(PathPattern Pattern, int EntryId)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var root = new MatchNodeBuilder();
        for (var i = 0; i < entries.Count; i++)
        {
            var (pattern, entryId) = entries[i];
            ArgumentNullException.ThrowIfNull(pattern, nameof(entries));
            ArgumentOutOfRangeException.ThrowIfNegative(entryId, nameof(entries));
            Add(root, pattern, entryId);
        }

        return new ResourceMatcher(root.Freeze(), entries.Count);
    }

    /// <summary>
    /// Matches an already percent-decoded absolute path (starting with '/', no query). One trailing
    /// '/' is ignored. When several patterns match, the one whose segments are most specific from
    /// left to right wins: at each segment a literal beats <c>*</c>, which beats a catch-all; a
    /// pattern ending exactly where the path ends beats a catch-all that matches nothing.
    /// The path must come from a raw target that <see cref="RequestPathGuard.Check"/> found
    /// <see cref="PathVerdict.Ok"/>: the matcher does not normalize, it trusts that the decoded path is
    /// the one the origin will route.
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> path, out ResourceMatch match)
    {
        if (path.IsEmpty || path[0] != '/')
        {
            match = default;
            return false;
        }

        // A single trailing '/' is ignored: "/v1/chat/completions/" reaches the same handler as
        // "/v1/chat/completions" on most origins, so both must be charged. For the root path "/"
        // this leaves zero segments, which is what "/" is.
        var end = path[^1] == '/' ? path.Length - 1 : path.Length;
        return TryMatchFrom(_root, path, 0, end, out match);
    }

    private static void Add(MatchNodeBuilder root, PathPattern pattern, int entryId)
    {
        var segments = pattern.Segments;
        var literalCount = pattern.HasCatchAll ? segments.Count - 1 : segments.Count;
        var node = root;
        for (var i = 0; i < literalCount; i++)
        {
            node = segments[i] == PathPattern.Wildcard ? node.GetOrAddWildcard() : node.GetOrAddLiteral(segments[i]);
        }

        // A pattern's canonical form and its (node, exact or catch-all) slot determine each other,
        // so an occupied slot is exactly a duplicate pattern.
        if (pattern.HasCatchAll)
        {
            ThrowIfOccupied(node.CatchAllEntryId, pattern, entryId);
            node.CatchAllEntryId = entryId;
        }
        else
        {
            ThrowIfOccupied(node.ExactEntryId, pattern, entryId);
            node.ExactEntryId = entryId;
        }
    }

    private static void ThrowIfOccupied(int existingEntryId, PathPattern pattern, int entryId)
    {
        if (existingEntryId != MatchNode.NoEntry)
        {
            throw new ArgumentException(
                $"Entries {existingEntryId} and {entryId} have the same pattern '{pattern.Canonical}'.", "entries");
        }
    }

    // pos: index just past the last segment matched so far, i.e. the '/' that starts the next
    // segment, or end when the path is used up. end: the path's length without its trailing '/'.
    private static bool TryMatchFrom(MatchNode node, ReadOnlySpan<char> path, int pos, int end, out ResourceMatch match)
    {
        if (pos >= end)
        {
            if (node.ExactEntryId != MatchNode.NoEntry)
            {
                match = new ResourceMatch(node.ExactEntryId, -1);
                return true;
            }

            if (node.CatchAllEntryId != MatchNode.NoEntry)
            {
                // pos is the trailing '/' or path.Length: the remainder is "/" or "".
                match = new ResourceMatch(node.CatchAllEntryId, pos);
                return true;
            }

            match = default;
            return false;
        }

        // path[pos] is '/': either the path's first character or where the previous segment stopped.
        var segmentStart = pos + 1;
        var slash = path[segmentStart..end].IndexOf('/');
        var segmentEnd = slash < 0 ? end : segmentStart + slash;
        var segment = path[segmentStart..segmentEnd];

        if (node.TryGetLiteral(segment, out var literal) && TryMatchFrom(literal, path, segmentEnd, end, out match))
        {
            return true;
        }

        // '*' stands for one real segment; an empty one ("//") is not one. Pattern literals are
        // never empty, so an empty segment can only fall through to a catch-all above it.
        if (!segment.IsEmpty && node.Wildcard is { } wildcard && TryMatchFrom(wildcard, path, segmentEnd, end, out match))
        {
            return true;
        }

        if (node.CatchAllEntryId != MatchNode.NoEntry)
        {
            match = new ResourceMatch(node.CatchAllEntryId, pos);
            return true;
        }

        match = default;
        return false;
    }
}
