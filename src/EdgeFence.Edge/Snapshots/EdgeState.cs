using EdgeFence.Core.Model;
using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Snapshots;

/// <summary>
/// One snapshot compiled for the request path. Immutable once published: a request reads
/// <see cref="SnapshotManager.Current"/> once and uses only this object, so a swap is atomic for it.
/// </summary>
internal sealed class EdgeState
{
    private readonly Dictionary<string, SiteRuntime>.AlternateLookup<ReadOnlySpan<char>> _byHost;
    private readonly Dictionary<string, SiteRuntime>.AlternateLookup<ReadOnlySpan<char>> _bySlug;
    private readonly Dictionary<Key128, SiteRuntime> _byOriginKey;

    public EdgeState(
        Snapshot snapshot,
        Dictionary<string, SiteRuntime> byHost,
        Dictionary<string, SiteRuntime> bySlug,
        Dictionary<Key128, SiteRuntime> byOriginKey,
        TokenRuntime[] tokens,
        TokenIndex tokenIndex)
    {
        // The snapshot itself is not kept: its token records would double the memory of the tokens.
        Version = snapshot.Version;
        SiteCount = snapshot.Sites.Count;
        PlanCount = snapshot.Plans.Count;
        ResourceCount = snapshot.Resources.Count;
        _byHost = byHost.GetAlternateLookup<ReadOnlySpan<char>>();
        _bySlug = bySlug.GetAlternateLookup<ReadOnlySpan<char>>();
        _byOriginKey = byOriginKey;
        Tokens = tokens;
        TokenIndex = tokenIndex;
        TokenCache = new VerifiedTokenCache(tokens.Length);
    }

    public long Version { get; }
    public int SiteCount { get; }
    public int PlanCount { get; }
    public int ResourceCount { get; }
    public TokenRuntime[] Tokens { get; }
    public TokenIndex TokenIndex { get; }

    /// <summary>Presented token strings already verified against this snapshot (see <see cref="VerifiedTokenCache"/>).</summary>
    public VerifiedTokenCache TokenCache { get; }

    public bool TryGetSiteByHost(ReadOnlySpan<char> host, out SiteRuntime site) => _byHost.TryGetValue(host, out site!);

    public bool TryGetSiteBySlug(ReadOnlySpan<char> slug, out SiteRuntime site) => _bySlug.TryGetValue(slug, out site!);

    public bool TryGetSiteByOriginKey(in Key128 key, out SiteRuntime site) => _byOriginKey.TryGetValue(key, out site!);
}
