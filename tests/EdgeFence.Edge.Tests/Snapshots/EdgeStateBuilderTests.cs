using EdgeFence.Core.Security;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Tests.Admin;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Snapshots;

/// <summary>What compiling a snapshot keeps of its tokens.</summary>
public sealed class EdgeStateBuilderTests
{
    [Fact]
    public void Tokens_of_one_customer_share_one_customer_string_in_the_compiled_state()
    {
        // Strings made at run time, as the decoder makes them: equal, not the same object (literals would be interned).
        static string Fresh(string value) => new(value.AsSpan());
        var snapshot = TestSnapshot.Create("http://127.0.0.1:1", editTokens: tokens =>
        {
            for (var i = 0; i < 6; i++)
            {
                tokens.Add(SnapshotDeltaPushTests.Token($"t-many-{i}", "plan-basic", Fresh(i % 2 == 0 ? "many-a" : "many-b"), $"tok-many-{i}"));
            }
        });

        var state = EdgeStateBuilder.Build(snapshot);

        var customers = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            Assert.True(state.Tokens.TryFind(Key128.FromHash(TokenHasher.Hash($"tok-many-{i}")), out var ordinal));
            customers.Add(state.Tokens.Get(ordinal)!.Customer);
        }

        Assert.Equal(["many-a", "many-b", "many-a", "many-b", "many-a", "many-b"], customers);
        Assert.Same(customers[0], customers[2]);
        Assert.Same(customers[0], customers[4]);
        Assert.Same(customers[1], customers[5]);
    }
}
