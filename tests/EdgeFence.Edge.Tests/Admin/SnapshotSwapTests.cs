using System.Net;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Admin;

public sealed class SnapshotSwapTests
{
    private const string SwapToken = "tok-swap-0001";

    /// <summary>
    /// Even versions route the token to customer "even" and forward /api/v1/* unchanged; odd versions
    /// to customer "odd" and map it to /odd/*. A request that saw the token from one version and the
    /// resources of another would reach the origin as a mismatched pair.
    /// </summary>
    private static Snapshot Version(string originUrl, long version)
    {
        var odd = version % 2 == 1;
        var baseline = TestSnapshot.Create(originUrl, version, tokens => tokens.Add(new TokenRecord
        {
            Id = "t-swap", SiteId = "demo", PlanId = "plan-unlimited", Customer = odd ? "odd" : "even", Hash = TokenHasher.Hash(SwapToken),
        }));
        var resources = baseline.Resources.Select(r => r.Id == "r-api"
            ? new Resource { Id = r.Id, SiteId = r.SiteId, Pattern = r.Pattern, PrivatePath = odd ? "/odd/*" : null }
            : r).ToList();
        return new Snapshot { Version = version, Sites = baseline.Sites, Plans = baseline.Plans, Resources = resources, Tokens = baseline.Tokens };
    }

    [Fact]
    public async Task Requests_during_repeated_swaps_see_one_whole_snapshot_and_never_fail()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var edge = await EdgeHost.StartAsync(Version(origin.Url, 1));
        using var stop = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();

        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await edge.GetAsync("/api/v1/items", SwapToken);
                statuses.Add(response.StatusCode);
            }
        })).ToArray();

        for (var version = 2; version <= 30; version++)
        {
            using var push = await edge.PushAsync(Version(origin.Url, version));
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var seen = origin.Requests.ToList();
        Assert.True(seen.Count > 50, $"only {seen.Count} requests reached the origin");
        Assert.Contains(seen, r => r.Header("X-EdgeFence-Customer") == "odd");
        Assert.Contains(seen, r => r.Header("X-EdgeFence-Customer") == "even");
        Assert.All(seen, r =>
        {
            var odd = r.Header("X-EdgeFence-Customer") == "odd";
            Assert.Equal(odd, r.RawTarget.StartsWith("/odd/", StringComparison.Ordinal));
        });
    }
}
