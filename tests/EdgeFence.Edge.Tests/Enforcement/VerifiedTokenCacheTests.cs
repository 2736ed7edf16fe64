using EdgeFence.Core.Model;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Enforcement;

/// <summary>
/// The cache of verified tokens must never let a string through that SHA-256 would refuse, never
/// answer with another token's ordinal, and never outlive the snapshot it was filled from.
/// </summary>
public sealed class VerifiedTokenCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
    private readonly CounterStore _store;
    private readonly EdgeState _state;
    private readonly DecisionEngine _engine;

    public VerifiedTokenCacheTests()
    {
        _store = new CounterStore(_dir, 1000);
        _state = EdgeStateBuilder.Build(TestSnapshot.Create("http://127.0.0.1:1"));
        _engine = new DecisionEngine(_store, TimeProvider.System);
    }

    [Fact]
    public void A_verified_token_is_remembered_as_itself()
    {
        var decision = Decide(_state, TestSnapshot.Unlimited);

        Assert.Equal(DecisionOutcome.Allowed, decision.Outcome);
        Assert.True(_state.TokenCache.TryGet(_state.TokenCache.Tag(TestSnapshot.Unlimited), out var ordinal));
        Assert.Same(decision.Token, _state.Tokens[ordinal]);
        Assert.Equal(DecisionOutcome.Allowed, Decide(_state, TestSnapshot.Unlimited).Outcome);
    }

    [Theory]
    [InlineData(TestSnapshot.Unlimited + "x", DenyReason.UnknownToken)]
    [InlineData("x" + TestSnapshot.Unlimited, DenyReason.UnknownToken)]
    [InlineData("tok-unlimited-000", DenyReason.UnknownToken)]
    [InlineData("TOK-UNLIMITED-0001", DenyReason.UnknownToken)]
    [InlineData("tok-unlimited-0002", DenyReason.UnknownToken)]
    [InlineData("tok-unlimited-0001\0", DenyReason.InvalidToken)]
    [InlineData("tok-unlimited-0001\u00e9", DenyReason.InvalidToken)]
    [InlineData("tok-unlimited 0001", DenyReason.InvalidToken)]
    internal void Near_misses_of_a_cached_token_are_refused_and_never_cached(string presented, DenyReason expected)
    {
        Assert.Equal(DecisionOutcome.Allowed, Decide(_state, TestSnapshot.Unlimited).Outcome);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var decision = Decide(_state, presented);
            Assert.Equal(DecisionOutcome.Denied, decision.Outcome);
            Assert.Equal(expected, decision.Reason);
            Assert.Null(decision.Token);
        }

        Assert.False(_state.TokenCache.TryGet(_state.TokenCache.Tag(presented), out _));
    }

    [Fact]
    public void An_overlong_token_is_refused_before_any_hashing()
    {
        var decision = Decide(_state, new string('a', 257));

        Assert.Equal(DenyReason.InvalidToken, decision.Reason);
    }

    [Fact]
    public void A_new_snapshot_starts_with_its_own_cache_so_revocation_is_immediate()
    {
        Assert.Equal(DecisionOutcome.Allowed, Decide(_state, TestSnapshot.Unlimited).Outcome);
        var revoked = EdgeStateBuilder.Build(TestSnapshot.Create("http://127.0.0.1:1", version: 2, tokens =>
        {
            var i = tokens.FindIndex(t => t.Id == "t-unlimited");
            var t = tokens[i];
            tokens[i] = new TokenRecord { Id = t.Id, SiteId = t.SiteId, PlanId = t.PlanId, Customer = t.Customer, Hash = t.Hash, Revoked = true };
        }));

        Assert.False(revoked.TokenCache.TryGet(revoked.TokenCache.Tag(TestSnapshot.Unlimited), out _));
        var decision = Decide(revoked, TestSnapshot.Unlimited);
        Assert.Equal(DenyReason.RevokedToken, decision.Reason);
    }

    [Fact]
    public void Two_caches_tag_the_same_token_differently()
    {
        var other = new VerifiedTokenCache(10);

        Assert.NotEqual(_state.TokenCache.Tag(TestSnapshot.Unlimited), other.Tag(TestSnapshot.Unlimited));
    }

    [Fact]
    public void Colliding_slots_evict_but_never_answer_with_another_entry()
    {
        // 16 tokens → 32 slots; 5,000 tags collide constantly.
        var cache = new VerifiedTokenCache(16);
        var tags = Enumerable.Range(0, 5000).Select(i => cache.Tag("token-" + i)).ToArray();
        for (var i = 0; i < tags.Length; i++)
        {
            cache.Add(tags[i], i);
        }

        var hits = 0;
        for (var i = 0; i < tags.Length; i++)
        {
            if (cache.TryGet(tags[i], out var ordinal))
            {
                Assert.Equal(i, ordinal);
                hits++;
            }
        }

        Assert.InRange(hits, 1, 32);
    }

    [Fact]
    public void Concurrent_writers_and_readers_never_see_a_torn_entry()
    {
        var cache = new VerifiedTokenCache(16);
        var tags = Enumerable.Range(0, 256).Select(i => cache.Tag("token-" + i)).ToArray();
        var wrong = 0;
        var hits = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var i = t;
            while (!stop.IsCancellationRequested)
            {
                i = (i + 7) % tags.Length;
                if (t % 2 == 0)
                {
                    cache.Add(tags[i], i);
                }
                else if (cache.TryGet(tags[i], out var ordinal))
                {
                    Interlocked.Increment(ref hits);
                    if (ordinal != i)
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(0, wrong);
        Assert.True(hits > 0);
    }

    private Decision Decide(EdgeState state, string token)
    {
        Assert.True(state.TryGetSiteByHost(TestSnapshot.SiteHost, out var site));
        _engine.Decide(state, site, "/api/v1/items", "GET", token, false, out var decision);
        return decision;
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
