using EdgeFence.Core.Model;
using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Snapshots;

/// <summary>
/// One snapshot compiled for the request path. Immutable once published: a request reads
/// <see cref="SnapshotManager.Current"/> once and uses only this object, so a swap is atomic for it.
/// A delta makes a new state that shares everything but the token table's overlay with the one it replaces.
/// </summary>
internal sealed class EdgeState
{
    private readonly Dictionary<string, SiteRuntime> _byHost;
    private readonly Dictionary<string, SiteRuntime> _bySlug;
    private readonly Dictionary<string, SiteRuntime>.AlternateLookup<ReadOnlySpan<char>> _byHostLookup;
    private readonly Dictionary<string, SiteRuntime>.AlternateLookup<ReadOnlySpan<char>> _bySlugLookup;
    private readonly Dictionary<Key128, SiteRuntime> _byOriginKey;
    private readonly Dictionary<string, SiteRuntime> _sitesById;
    private readonly Dictionary<string, PlanRuntime> _plansById;

    public EdgeState(
        Snapshot snapshot,
        byte[] stateHash,
        Dictionary<string, SiteRuntime> byHost,
        Dictionary<string, SiteRuntime> bySlug,
        Dictionary<Key128, SiteRuntime> byOriginKey,
        Dictionary<string, SiteRuntime> sitesById,
        Dictionary<string, PlanRuntime> plansById,
        TokenTable tokens)
        : this(snapshot.Version, stateHash, snapshot.Sites.Count, snapshot.Plans.Count, snapshot.Resources.Count, byHost, bySlug, byOriginKey, sitesById, plansById, tokens, new VerifiedTokenCache(tokens.Count))
    {
        // The snapshot itself is not kept: its token records would double the memory of the tokens.
    }

    private EdgeState(
        long version,
        byte[] stateHash,
        int siteCount,
        int planCount,
        int resourceCount,
        Dictionary<string, SiteRuntime> byHost,
        Dictionary<string, SiteRuntime> bySlug,
        Dictionary<Key128, SiteRuntime> byOriginKey,
        Dictionary<string, SiteRuntime> sitesById,
        Dictionary<string, PlanRuntime> plansById,
        TokenTable tokens,
        VerifiedTokenCache cache)
    {
        Version = version;
        StateHash = stateHash;
        SiteCount = siteCount;
        PlanCount = planCount;
        ResourceCount = resourceCount;
        _byHost = byHost;
        _bySlug = bySlug;
        _byHostLookup = byHost.GetAlternateLookup<ReadOnlySpan<char>>();
        _bySlugLookup = bySlug.GetAlternateLookup<ReadOnlySpan<char>>();
        _byOriginKey = byOriginKey;
        _sitesById = sitesById;
        _plansById = plansById;
        Tokens = tokens;
        TokenCache = cache;
    }

    public long Version { get; }

    /// <summary>What the next delta must name as its base hash (see <see cref="SnapshotDelta"/>).</summary>
    public byte[] StateHash { get; }

    public int SiteCount { get; }
    public int PlanCount { get; }
    public int ResourceCount { get; }
    public TokenTable Tokens { get; }

    /// <summary>Sites and plans by id: what a delta's tokens are compiled against.</summary>
    public IReadOnlyDictionary<string, SiteRuntime> SitesById => _sitesById;

    public IReadOnlyDictionary<string, PlanRuntime> PlansById => _plansById;

    /// <summary>
    /// Presented token strings already verified against this state's token table (see <see cref="VerifiedTokenCache"/>).
    /// Shared by the states deltas derive from one full snapshot: ordinals are stable across them (<see cref="TokenTable"/>).
    /// </summary>
    public VerifiedTokenCache TokenCache { get; }

    /// <summary>This state with another token table, as a delta of <paramref name="version"/> leaves it.</summary>
    public EdgeState WithTokens(long version, byte[] stateHash, TokenTable tokens)
        => new(version, stateHash, SiteCount, PlanCount, ResourceCount, _byHost, _bySlug, _byOriginKey, _sitesById, _plansById, tokens, TokenCache);

    public bool TryGetSiteByHost(ReadOnlySpan<char> host, out SiteRuntime site) => _byHostLookup.TryGetValue(host, out site!);

    public bool TryGetSiteBySlug(ReadOnlySpan<char> slug, out SiteRuntime site) => _bySlugLookup.TryGetValue(slug, out site!);

    public bool TryGetSiteByOriginKey(in Key128 key, out SiteRuntime site) => _byOriginKey.TryGetValue(key, out site!);
}
