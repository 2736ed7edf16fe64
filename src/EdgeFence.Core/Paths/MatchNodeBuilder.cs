using System.Collections.Frozen;

namespace EdgeFence.Core.Paths;

/// <summary>
/// Mutable trie node used only while <see cref="ResourceMatcher.Build"/> runs; frozen into
/// <see cref="MatchNode"/> so the request path reads structures that never change.
/// </summary>
internal sealed class MatchNodeBuilder
{
    private Dictionary<string, MatchNodeBuilder>? _literals;
    private MatchNodeBuilder? _wildcard;

    public int ExactEntryId { get; set; } = MatchNode.NoEntry;

    public int CatchAllEntryId { get; set; } = MatchNode.NoEntry;

    public MatchNodeBuilder GetOrAddLiteral(string segment)
    {
        // Same comparer as the frozen lookup, so "API" and "api" share one node.
        _literals ??= new Dictionary<string, MatchNodeBuilder>(StringComparer.OrdinalIgnoreCase);
        if (!_literals.TryGetValue(segment, out var child))
        {
            child = new MatchNodeBuilder();
            _literals.Add(segment, child);
        }

        return child;
    }

    public MatchNodeBuilder GetOrAddWildcard() => _wildcard ??= new MatchNodeBuilder();

    public MatchNode Freeze()
    {
        FrozenDictionary<string, MatchNode>? literals = null;
        if (_literals is not null)
        {
            var frozenChildren = new Dictionary<string, MatchNode>(_literals.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var (segment, child) in _literals)
            {
                frozenChildren.Add(segment, child.Freeze());
            }

            literals = frozenChildren.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        }

        return new MatchNode(literals, _wildcard?.Freeze(), ExactEntryId, CatchAllEntryId);
    }
}
