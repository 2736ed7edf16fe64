using System.Security.Cryptography;
using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Store;

/// <summary>
/// Counter keys are stored on disk by FASTER: a key computed differently after an upgrade would start
/// every entitlement from zero. The derivation is pinned here, written out independently.
/// </summary>
public sealed class CounterKeyTests
{
    [Theory]
    [InlineData("site-a", "tok-1")]
    [InlineData("demo", "t-unlimited")]
    [InlineData("s", "an.id:with_all-the.allowed:characters")]
    public void The_counter_key_is_the_first_half_of_sha256_of_site_and_token_id(string siteId, string tokenId)
    {
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes("edgefence-counter\n" + siteId + "\n" + tokenId));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var key = EdgeStateBuilder.CounterKey(Record(siteId, tokenId), sha);

        Assert.Equal(Key128.FromHash(expected), key);
        Assert.Equal(key, EdgeStateBuilder.CounterKey(Record(siteId, tokenId), sha));
    }

    [Fact]
    public void Every_compiled_token_carries_its_counter_key()
    {
        var state = EdgeStateBuilder.Build(TestSnapshot.Create("http://127.0.0.1:1"));

        Assert.NotEqual(0, state.Tokens.Count);
        foreach (var token in state.Tokens)
        {
            var expected = SHA256.HashData(Encoding.UTF8.GetBytes("edgefence-counter\n" + token.Site.Id + "\n" + token.Id));
            Assert.Equal(Key128.FromHash(expected), token.CounterKey);
        }
    }

    private static TokenRecord Record(string siteId, string tokenId)
        => new() { Id = tokenId, SiteId = siteId, PlanId = "p", Customer = "c", Hash = new byte[32] };
}
