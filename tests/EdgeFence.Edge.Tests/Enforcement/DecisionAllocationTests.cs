using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Payments;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Payments;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeFence.Edge.Tests.Enforcement;

/// <summary>The decision path allocates nothing: allow and deny alike (STYLE.md rule 4).</summary>
public sealed class DecisionAllocationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
    private readonly CounterStore _store;
    private readonly EdgeState _state;
    private readonly DecisionEngine _engine;

    public DecisionAllocationTests()
    {
        _store = new CounterStore(_dir, 1000);
        _state = EdgeStateBuilder.Build(PrepaidSnapshot.Create("http://127.0.0.1:1", quota: 10_000_000));

        // A balance large enough for every call below: a prepaid allow debits it, it never runs out here.
        var wallets = new WalletManager(null, _dir, NullLogger.Instance);
        wallets.TryApply(SnapshotSerializer.Serialize(PrepaidSnapshot.Book(1, 1_000_000_000)), null, persist: false);
        _engine = new DecisionEngine(_store, TimeProvider.System, wallets: wallets);
    }

    [Theory]
    [InlineData(TestSnapshot.Unlimited, DecisionOutcome.Allowed)]
    [InlineData(TestSnapshot.Revoked, DecisionOutcome.Denied)]
    [InlineData("tok-unknown", DecisionOutcome.Denied)]
    [InlineData(TestSnapshot.Rate, DecisionOutcome.Denied)]
    [InlineData(PrepaidSnapshot.Token, DecisionOutcome.Allowed)]
    internal void Decision_allocates_nothing(string token, DecisionOutcome expected)
    {
        Assert.True(_state.TryGetSiteByHost("api.test", out var site));
        // Warm up past tiered JIT: tier-up and call-counting stubs allocate on the calling thread.
        for (var i = 0; i < 5000; i++)
        {
            _engine.Decide(_state, site, "/api/v1/items", "GET", token, false, out _);
        }

        var wrong = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _engine.Decide(_state, site, "/api/v1/items", "GET", token, false, out var decision);
            wrong += decision.Outcome == expected ? 0 : 1;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, wrong);
        Assert.Equal(0, allocated);
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
