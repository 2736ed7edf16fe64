using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Telemetry;

[Collection(MetricsCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_without_a_key_are_prometheus_text_with_the_latest_snapshot_version()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });
        var plan = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "P" });
        await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/tokens", new { planId = plan.Str("id"), customer = "c" });
        var latest = (await controlPlane.GetAsync("/v1/edges")).Json.GetProperty("latestVersion").GetInt64();

        var scrape = await controlPlane.SendAsync(HttpMethod.Get, "/metrics", null, bearer: null);

        Assert.Equal(HttpStatusCode.OK, scrape.Status);
        var (samples, types) = PrometheusText.Parse(scrape.Text);
        Assert.Equal("gauge", types["edgefence_controlplane_snapshot_version"]);
        Assert.Equal(latest, Assert.Single(samples, s => s.Name == "edgefence_controlplane_snapshot_version").Value);
        Assert.True(latest >= 4, $"latest {latest}: initial snapshot, site, plan, token");
        Assert.Equal(1, Changes(samples, "site"));
        Assert.Equal(1, Changes(samples, "plan"));
        Assert.Equal(1, Changes(samples, "token"));
        Assert.Equal(0, Assert.Single(samples, s => s.Name == "edgefence_controlplane_edges_behind").Value);
    }

    [Fact]
    public async Task An_unreachable_edge_is_behind_and_its_failed_pushes_are_counted()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync([$"http://127.0.0.1:{FreePort.Next()}"]);
        await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });

        var scrape = await controlPlane.SendAsync(HttpMethod.Get, "/metrics", null, bearer: null);

        var (samples, _) = PrometheusText.Parse(scrape.Text);
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "edgefence_controlplane_edges_behind").Value);
        Assert.True(Assert.Single(samples, s => s.Name == "edgefence_controlplane_edge_push_failures_total").Value >= 1);
    }

    [Fact]
    public async Task Readyz_reports_database_signing_key_and_redis_without_a_key()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();

        var ready = await controlPlane.SendAsync(HttpMethod.Get, "/readyz", null, bearer: null);

        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("ready", ready.Str("status"));
        Assert.Equal("ok", ready.Str("database"));
        Assert.Equal("loaded", ready.Str("signingKey"));
        Assert.Equal("standalone", ready.Str("redis"));
    }

    private static double Changes(IReadOnlyList<PrometheusText.Sample> samples, string kind) =>
        Assert.Single(samples, s => s.Name == "edgefence_controlplane_changes_total" && s.Labels.GetValueOrDefault("kind") == kind).Value;
}
