using System.Net;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Infrastructure;

/// <summary>
/// The whole path on loopback: a recording origin, a control plane, and a real edge that trusts the control
/// plane's key, receives its pushes on a fixed admin port and pulls from it on start.
/// </summary>
public sealed class TestStack : IAsyncDisposable
{
    private TestStack(TestOrigin origin, ControlPlaneHost controlPlane, EdgeHost edge, int edgeAdminPort)
    {
        Origin = origin;
        ControlPlane = controlPlane;
        Edge = edge;
        EdgeAdminPort = edgeAdminPort;

        // Kept, so the edge can still be pointed at it (and fail to reach it) once it is stopped.
        ControlPlaneUrl = controlPlane.Url;
    }

    public string ControlPlaneUrl { get; }

    public TestOrigin Origin { get; }
    public ControlPlaneHost ControlPlane { get; }
    public EdgeHost Edge { get; }
    public int EdgeAdminPort { get; }
    public string EdgeAdminUrl => $"http://127.0.0.1:{EdgeAdminPort}";

    /// <summary>The edge's arguments beyond EdgeHost's own: fixed admin port, the control plane's public key, pull on start.</summary>
    public string[] EdgeArgs(bool pull = true) =>
    [
        $"--EdgeFence:AdminUrls={EdgeAdminUrl}",
        $"--EdgeFence:SnapshotPublicKey={ControlPlane.PublicKeyPath}",
        .. pull ? new[] { $"--EdgeFence:ControlPlaneUrl={ControlPlaneUrl}", $"--EdgeFence:ControlPlaneKey={ControlPlaneHost.EdgeKey}" } : [],
    ];

    /// <summary>
    /// <paramref name="redis"/>: a connection string both the control plane and the edge (node <c>edge-a</c>) use;
    /// <paramref name="edgeArgs"/>: more edge settings; <paramref name="controlPlaneArgs"/>: more control plane settings.
    /// </summary>
    public static async Task<TestStack> StartAsync(bool edgePulls = true, string? redis = null, string[]? edgeArgs = null, string[]? controlPlaneArgs = null)
    {
        var origin = await TestOrigin.StartAsync();
        var port = FreePort.Next();
        var controlPlane = await ControlPlaneHost.StartAsync([$"http://127.0.0.1:{port}"], [.. redis is null ? Array.Empty<string>() : [$"--ControlPlane:Redis={redis}"], .. controlPlaneArgs ?? []]);
        var stack = new TestStack(origin, controlPlane, null!, port);
        var edge = await EdgeHost.StartAsync(null, [.. stack.EdgeArgs(edgePulls), .. redis is null ? Array.Empty<string>() : [$"--EdgeFence:Redis={redis}", "--EdgeFence:NodeId=edge-a"], .. edgeArgs ?? []]);
        return new TestStack(origin, controlPlane, edge, port);
    }

    /// <summary>A site at host <see cref="TestSnapshot.SiteHost"/> in front of the test origin, a plan, <c>/api/*</c>, and a token.</summary>
    public async Task<DemoConfig> CreateDemoAsync(long quotaUnits = 100, int rateLimit = 1000, string quotaMode = "hard")
    {
        var site = await ControlPlane.PostAsync("/v1/sites", new { name = "Demo API", slug = "demo", originUrl = Origin.Url, hosts = new[] { TestSnapshot.SiteHost } });
        Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
        var siteId = site.Str("id");
        var plan = await ControlPlane.PostAsync($"/v1/sites/{siteId}/plans", new
        {
            name = "Starter",
            quota = new { units = quotaUnits, period = "month", mode = quotaMode },
            rateLimit = new { requests = rateLimit, windowSeconds = 60 },
            price = 9.99m,
        });
        Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
        var resource = await ControlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/api/*" });
        Assert.True(resource.Status == HttpStatusCode.Created, resource.ToString());
        var token = await ControlPlane.PostAsync($"/v1/sites/{siteId}/tokens", new { planId = plan.Str("id"), customer = "acme" });
        Assert.True(token.Status == HttpStatusCode.Created, token.ToString());
        return new DemoConfig(siteId, plan.Str("id"), resource.Str("id"), token.Str("id"), token.Str("token"), site.Str("hmacSecret"), site.Str("originKey"));
    }

    public async ValueTask DisposeAsync()
    {
        await Edge.DisposeAsync();
        await ControlPlane.DisposeAsync();
        await Origin.DisposeAsync();
    }
}
