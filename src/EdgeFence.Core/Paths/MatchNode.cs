using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace EdgeFence.Core.Paths;

/// <summary>
/// One immutable node of the <see cref="ResourceMatcher"/> trie: the patterns that end here and
/// the ways to go one segment deeper.
/// </summary>
internal sealed class MatchNode
{
    /// <summary>Entry ids are the caller's indexes, so a negative value can mark "none".</summary>
    public const int NoEntry = -1;

    // The span lookup is created once here: created per request it would be cheap but not free,
    // and it lets a segment be looked up as a slice of the request path without a string.
    private readonly FrozenDictionary<string, MatchNode>.AlternateLookup<ReadOnlySpan<char>> _literals;
    private readonly bool _hasLiterals;

    public MatchNode(FrozenDictionary<string, MatchNode>? literals, MatchNode? wildcard, int exactEntryId, int catchAllEntryId)
    {
        if (literals is not null && literals.Count > 0)
        {
            _literals = literals.GetAlternateLookup<ReadOnlySpan<char>>();
            _hasLiterals = true;
        }

        Wildcard = wildcard;
        ExactEntryId = exactEntryId;
        CatchAllEntryId = catchAllEntryId;
    }

    /// <summary>The child for a <c>*</c> segment that is not last: exactly one non-empty segment.</summary>
    public MatchNode? Wildcard { get; }

    /// <summary>The pattern that ends exactly at this node, or <see cref="NoEntry"/>.</summary>
    public int ExactEntryId { get; }

    /// <summary>The pattern whose trailing catch-all sits at this node, or <see cref="NoEntry"/>.</summary>
    public int CatchAllEntryId { get; }

    public bool TryGetLiteral(ReadOnlySpan<char> segment, [NotNullWhen(true)] out MatchNode? child)
    {
        if (_hasLiterals)
        {
            return _literals.TryGetValue(segment, out child);
        }

        child = null;
        return false;
    }
}
