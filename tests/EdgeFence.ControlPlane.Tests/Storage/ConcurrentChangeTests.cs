using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Storage;

public sealed class ConcurrentChangeTests
{
    [Fact]
    public async Task Concurrent_changes_each_get_their_own_version_and_the_edge_ends_on_the_last()
    {
        const int Changes = 20;
        await using var stack = await TestStack.StartAsync();
        var start = await stack.ControlPlane.SnapshotVersionAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, Changes).Select(i =>
            stack.ControlPlane.PostAsync("/v1/sites", new { name = $"Site {i}", slug = $"site-{i}", originUrl = stack.Origin.Url })));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.Equal(start + Changes, await stack.ControlPlane.SnapshotVersionAsync());
        using var edge = JsonDocument.Parse(await stack.Edge.Admin.GetStringAsync("/v1/snapshot"));
        Assert.Equal(start + Changes, edge.RootElement.GetProperty("version").GetInt64());
        Assert.Equal(Changes, edge.RootElement.GetProperty("sites").GetInt32());
        var status = (await stack.ControlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges")[0];
        Assert.Equal(start + Changes, status.GetProperty("appliedVersion").GetInt64());
    }
}
