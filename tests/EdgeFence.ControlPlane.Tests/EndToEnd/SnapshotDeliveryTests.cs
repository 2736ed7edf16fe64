using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.EndToEnd;

/// <summary>Snapshots from the control plane to the edge: push, retry, pull on start, and what the edge refuses.</summary>
public sealed class SnapshotDeliveryTests
{
    [Fact]
    public async Task Edge_restarted_with_the_control_plane_down_serves_its_persisted_snapshot()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        var version = await stack.ControlPlane.SnapshotVersionAsync();
        await stack.ControlPlane.StopAsync();

        // The edge tries to pull on start, fails, and goes on with what it persisted.
        await stack.Edge.RestartAsync(null, stack.EdgeArgs());

        using var response = await stack.Edge.GetAsync("/api/hello", demo.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(version, await EdgeVersionAsync(stack.Edge));
    }

    [Fact]
    public async Task Edge_down_during_three_changes_catches_up_to_the_latest_version_when_it_returns()
    {
        // No pull on start: the catch-up must come from the control plane's retries.
        await using var stack = await TestStack.StartAsync(edgePulls: false);
        var demo = await stack.CreateDemoAsync();
        await stack.Edge.StopAsync();

        var stopwatch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await stack.ControlPlane.DeleteAsync($"/v1/tokens/{demo.TokenId}")).Status);
        Assert.Equal(HttpStatusCode.Created, (await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/resources", new { pattern = "/reports/*", cost = 2 })).Status);
        var late = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "late" });
        Assert.Equal(HttpStatusCode.Created, late.Status);

        // A dead edge holds each answer at most ControlPlane:PushWaitMilliseconds (1.5 s by default).
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(6), $"three changes took {stopwatch.ElapsedMilliseconds} ms with the edge down");
        var latest = await stack.ControlPlane.SnapshotVersionAsync();
        var down = (await stack.ControlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges")[0];
        Assert.True(down.GetProperty("consecutiveFailures").GetInt32() > 0, down.ToString());
        Assert.True(down.GetProperty("appliedVersion").GetInt64() < latest, down.ToString());
        Assert.StartsWith("unreachable", down.GetProperty("lastResult").GetString(), StringComparison.Ordinal);

        await stack.Edge.RestartAsync(null, stack.EdgeArgs(pull: false));

        var deadline = Stopwatch.StartNew();
        while (await EdgeVersionAsync(stack.Edge) < latest && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        Assert.Equal(latest, await EdgeVersionAsync(stack.Edge));
        using (var revoked = await stack.Edge.GetAsync("/api/hello", demo.Token))
        {
            Assert.Equal(HttpStatusCode.Forbidden, revoked.StatusCode);
        }

        using (var issuedWhileDown = await stack.Edge.GetAsync("/reports/q3", late.Str("token")))
        {
            Assert.Equal(HttpStatusCode.OK, issuedWhileDown.StatusCode);
        }

        var up = (await stack.ControlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges")[0];
        Assert.Equal(latest, up.GetProperty("appliedVersion").GetInt64());
        Assert.Equal(0, up.GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task Edge_the_control_plane_never_pushed_to_pulls_the_latest_snapshot_on_start()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var controlPlane = await ControlPlaneHost.StartAsync(edges: []);
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = origin.Url, hosts = new[] { TestSnapshot.SiteHost } });
        var plan = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "Free" });
        await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", new { pattern = "/api/*" });
        var token = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/tokens", new { planId = plan.Str("id"), customer = "acme" });

        await using var edge = await EdgeHost.StartAsync(null,
            $"--EdgeFence:SnapshotPublicKey={controlPlane.PublicKeyPath}",
            $"--EdgeFence:ControlPlaneUrl={controlPlane.Url}",
            $"--EdgeFence:ControlPlaneKey={ControlPlaneHost.EdgeKey}");

        Assert.Equal(await controlPlane.SnapshotVersionAsync(), await EdgeVersionAsync(edge));
        using var response = await edge.GetAsync("/api/hello", token.Str("token"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Edge_whose_pull_is_refused_still_starts()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync(edges: []);

        await using var edge = await EdgeHost.StartAsync(null,
            $"--EdgeFence:SnapshotPublicKey={controlPlane.PublicKeyPath}",
            $"--EdgeFence:ControlPlaneUrl={controlPlane.Url}",
            "--EdgeFence:ControlPlaneKey=not-the-edge-key-but-long-enough-0123456789");

        using var ready = await edge.Admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task Snapshot_signed_by_another_key_or_older_is_refused_by_the_edge()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        var older = await stack.ControlPlane.GetSnapshotAsync();
        await stack.ControlPlane.DeleteAsync($"/v1/tokens/{demo.TokenId}");
        var latest = await stack.ControlPlane.GetSnapshotAsync();
        Assert.Equal(latest.Version, await EdgeVersionAsync(stack.Edge));

        // Older, with the control plane's own valid signature: 409.
        using (var stale = await stack.Edge.PushAsync(older.Bytes, older.Signature))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        }

        // Newer, but signed by a key the edge does not trust: 400. It would have re-enabled the revoked token.
        var forged = SnapshotSerializer.Deserialize(latest.Bytes);
        var forgedBytes = SnapshotSerializer.Serialize(new Snapshot
        {
            Version = latest.Version + 1,
            Sites = forged.Sites,
            Plans = forged.Plans,
            Resources = forged.Resources,
            Tokens = [.. forged.Tokens.Select(t => new TokenRecord { Id = t.Id, SiteId = t.SiteId, PlanId = t.PlanId, Customer = t.Customer, Hash = t.Hash })],
        });
        using var otherKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using (var mis = await stack.Edge.PushAsync(forgedBytes, SnapshotSigner.Sign(forgedBytes, otherKey)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, mis.StatusCode);
            Assert.Contains("signature", await mis.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(latest.Version, await EdgeVersionAsync(stack.Edge));
        using var response = await stack.Edge.GetAsync("/api/hello", demo.Token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Pushes_from_a_control_plane_the_edge_does_not_trust_are_refused_and_reported()
    {
        await using var stack = await TestStack.StartAsync();
        await stack.CreateDemoAsync();
        var trusted = await EdgeVersionAsync(stack.Edge);

        // A second control plane, with its own key, pointed at the same edge.
        await using var stranger = await ControlPlaneHost.StartAsync([stack.EdgeAdminUrl]);
        await stranger.PostAsync("/v1/sites", new { name = "Evil", slug = "evil", originUrl = "http://127.0.0.1:9" });

        var status = (await stranger.GetAsync("/v1/edges")).Json.GetProperty("edges")[0];
        Assert.Equal(JsonValueKind.Null, status.GetProperty("appliedVersion").ValueKind);
        Assert.Contains("signature", status.GetProperty("lastResult").GetString(), StringComparison.Ordinal);
        Assert.True(status.GetProperty("consecutiveFailures").GetInt32() > 0);
        Assert.Equal(trusted, await EdgeVersionAsync(stack.Edge));
    }

    [Fact]
    public async Task A_change_does_not_wait_longer_than_the_push_wait_for_an_edge_that_is_down()
    {
        var dead = $"http://127.0.0.1:{FreePort.Next()}";
        await using var controlPlane = await ControlPlaneHost.StartAsync([dead], "--ControlPlane:PushWaitMilliseconds=300");

        var stopwatch = Stopwatch.StartNew();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        stopwatch.Stop();

        Assert.Equal(HttpStatusCode.Created, site.Status);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.ElapsedMilliseconds} ms");
        var status = (await controlPlane.GetAsync("/v1/edges")).Json;
        Assert.Equal(await controlPlane.SnapshotVersionAsync(), status.GetProperty("latestVersion").GetInt64());
        Assert.Equal(dead + "/", status.GetProperty("edges")[0].GetProperty("url").GetString());
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("edges")[0].GetProperty("nextAttemptAt").ValueKind);
    }

    private static async Task<long> EdgeVersionAsync(EdgeHost edge)
    {
        using var json = JsonDocument.Parse(await edge.Admin.GetStringAsync("/v1/snapshot"));
        var version = json.RootElement.GetProperty("version");
        return version.ValueKind == JsonValueKind.Null ? 0 : version.GetInt64();
    }
}
