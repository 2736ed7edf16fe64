using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Tests.Admin;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Snapshots;

/// <summary>The token table a delta leaves: ordinals stay put, the base is shared, compaction changes no answer.</summary>
public sealed class TokenTableTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
    private readonly CounterStore _store;
    private readonly DecisionEngine _engine;

    public TokenTableTests()
    {
        _store = new CounterStore(_dir, 1000);
        _engine = new DecisionEngine(_store, TimeProvider.System);
    }

    [Fact]
    public void Delta_keeps_the_ordinal_of_a_changed_token_and_gives_a_new_one_the_next()
    {
        var state = EdgeStateBuilder.Build(TestSnapshot.Create("http://127.0.0.1:1"));
        Assert.True(state.Tokens.TryFind(Key128.FromHash(TokenHasher.Hash(TestSnapshot.Basic2)), out var basic2));
        var before = state.Tokens.OrdinalCount;

        var next = Apply(state, 2, [SnapshotDeltaPushTests.Token("t-basic2", "plan-basic", "globex", TestSnapshot.Basic2, revoked: true), SnapshotDeltaPushTests.Token("t-new", "plan-basic", "n", "tok-new")], [TokenHasher.Hash(TestSnapshot.Soft)]);

        Assert.True(next.Tokens.TryFind(Key128.FromHash(TokenHasher.Hash(TestSnapshot.Basic2)), out var again));
        Assert.Equal(basic2, again);
        Assert.True(next.Tokens.Get(again)!.Revoked);
        Assert.False(state.Tokens.Get(basic2)!.Revoked);
        Assert.True(next.Tokens.TryFind(Key128.FromHash(TokenHasher.Hash("tok-new")), out var added));
        Assert.Equal(before, added);
        Assert.True(next.Tokens.TryFind(Key128.FromHash(TokenHasher.Hash(TestSnapshot.Soft)), out var soft));
        Assert.Null(next.Tokens.Get(soft));
        Assert.NotNull(state.Tokens.Get(soft));
        Assert.Equal(state.Tokens.Count, next.Tokens.Count);
        Assert.Same(state.TokenCache, next.TokenCache);
        Assert.Same(state.SitesById["demo"], next.Tokens.Get(added)!.Site);
    }

    [Fact]
    public void Compaction_folds_the_overlay_and_every_token_keeps_its_ordinal_and_answer()
    {
        var state = EdgeStateBuilder.Build(TestSnapshot.Create("http://127.0.0.1:1"));
        var ordinals = new Dictionary<string, int>();
        var tokens = new List<TokenRecord>();
        for (var i = 0; i < 5000; i++)
        {
            tokens.Add(SnapshotDeltaPushTests.Token($"t-bulk-{i}", "plan-unlimited", "bulk", $"tok-bulk-{i}"));
        }

        var big = Apply(state, 2, [.. tokens], []);
        Assert.Equal(0, big.Tokens.OverlayCount);
        Assert.Equal(state.Tokens.Count + 5000, big.Tokens.Count);
        for (var i = 0; i < 5000; i += 499)
        {
            Assert.True(big.Tokens.TryFind(Key128.FromHash(TokenHasher.Hash($"tok-bulk-{i}")), out var ordinal));
            Assert.Equal(state.Tokens.OrdinalCount + i, ordinal);
            Assert.Equal($"t-bulk-{i}", big.Tokens.Get(ordinal)!.Id);
        }

        var removed = Apply(big, 3, [], [TokenHasher.Hash("tok-bulk-7")]);
        Assert.Equal(1, removed.Tokens.OverlayCount);
        Assert.Equal(big.Tokens.Count - 1, removed.Tokens.Count);
        var seen = 0;
        foreach (var token in removed.Tokens)
        {
            Assert.NotEqual("t-bulk-7", token.Id);
            seen++;
        }

        Assert.Equal(removed.Tokens.Count, seen);
    }

    [Theory]
    [InlineData(TestSnapshot.Unlimited, DecisionOutcome.Allowed)]
    [InlineData("tok-new", DecisionOutcome.Allowed)]
    [InlineData(TestSnapshot.Basic2, DecisionOutcome.Denied)]
    [InlineData(TestSnapshot.Soft, DecisionOutcome.Denied)]
    internal void Decision_on_a_state_a_delta_built_allocates_nothing(string token, DecisionOutcome expected)
    {
        var state = Apply(
            EdgeStateBuilder.Build(TestSnapshot.Create("http://127.0.0.1:1")),
            2,
            [SnapshotDeltaPushTests.Token("t-basic2", "plan-basic", "globex", TestSnapshot.Basic2, revoked: true), SnapshotDeltaPushTests.Token("t-new", "plan-unlimited", "n", "tok-new")],
            [TokenHasher.Hash(TestSnapshot.Soft)]);
        Assert.True(state.TryGetSiteByHost("api.test", out var site));
        for (var i = 0; i < 5000; i++)
        {
            _engine.Decide(state, site, "/api/v1/items", "GET", token, false, out _);
        }

        var wrong = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _engine.Decide(state, site, "/api/v1/items", "GET", token, false, out var decision);
            wrong += decision.Outcome == expected ? 0 : 1;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, wrong);
        Assert.Equal(0, allocated);
    }

    [Fact]
    internal void Token_cached_before_a_delta_removed_it_is_unknown_after()
    {
        var state = EdgeStateBuilder.Build(TestSnapshot.Create("http://127.0.0.1:1"));
        Assert.True(state.TryGetSiteByHost("api.test", out var site));
        _engine.Decide(state, site, "/api/v1/items", "GET", TestSnapshot.Unlimited, false, out var allowed);
        Assert.Equal(DecisionOutcome.Allowed, allowed.Outcome);
        Assert.True(state.TokenCache.TryGet(state.TokenCache.Tag(TestSnapshot.Unlimited), out _));

        var next = Apply(state, 2, [], [TokenHasher.Hash(TestSnapshot.Unlimited)]);
        _engine.Decide(next, site, "/api/v1/items", "GET", TestSnapshot.Unlimited, false, out var denied);

        Assert.Equal(DecisionOutcome.Denied, denied.Outcome);
        Assert.Equal(DenyReason.UnknownToken, denied.Reason);
    }

    private static EdgeState Apply(EdgeState state, long version, TokenRecord[] tokens, byte[][] removed)
        => EdgeStateBuilder.ApplyDelta(state, SnapshotDeltaPushTests.Delta(state.Version, state.StateHash, version, tokens, removed), StateHash.Of(BitConverter.GetBytes(version)));

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
