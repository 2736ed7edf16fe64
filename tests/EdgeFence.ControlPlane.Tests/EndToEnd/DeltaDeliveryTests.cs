using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.EndToEnd;

/// <summary>Token changes travel as deltas from a real control plane to a real edge; anything else, or a mismatch, as a full snapshot.</summary>
public sealed partial class DeltaDeliveryTests
{
    [Fact]
    public async Task Token_changes_reach_the_edge_as_deltas_and_change_only_their_tokens()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        Assert.Equal(99, QuotaRemaining(await stack.Edge.GetAsync("/api/hello", demo.Token)));
        Assert.Equal(98, QuotaRemaining(await stack.Edge.GetAsync("/api/hello", demo.Token)));
        var fullVersion = FullSnapshotVersion(stack);

        var second = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "second" });
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/api/hello", second.Str("token"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await stack.ControlPlane.DeleteAsync($"/v1/tokens/{second.Str("id")}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await stack.Edge.GetAsync("/api/hello", second.Str("token"))).StatusCode);
        var third = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "third" });
        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/api/hello", third.Str("token"))).StatusCode);

        // No token change rebuilt the full snapshot: it is still the one of the resource's creation.
        Assert.Equal(fullVersion, FullSnapshotVersion(stack));
        Assert.Equal(4, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "snapshot_deltas"));

        // The untouched token kept its count, and the edge serves the latest version, built from deltas on top of
        // that full snapshot: the demo token, the second (created, then revoked) and the third.
        Assert.Equal(97, QuotaRemaining(await stack.Edge.GetAsync("/api/hello", demo.Token)));
        using var served = JsonDocument.Parse(await stack.Edge.Admin.GetStringAsync("/v1/snapshot"));
        Assert.Equal(await stack.ControlPlane.SnapshotVersionAsync(), served.RootElement.GetProperty("version").GetInt64());
        Assert.Equal(3, served.RootElement.GetProperty("overlayTokens").GetInt32());
        Assert.Equal("applied (delta)", (await stack.ControlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges")[0].GetProperty("lastResult").GetString());
    }

    [Fact]
    public async Task Site_plan_or_resource_change_is_sent_as_a_full_snapshot()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        Assert.Equal(1, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "snapshot_deltas"));

        Assert.Equal(HttpStatusCode.Created, (await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/resources", new { pattern = "/reports/*", cost = 2 })).Status);

        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "snapshot_deltas"));
        var latest = await stack.ControlPlane.SnapshotVersionAsync();
        Assert.Equal(latest, FullSnapshotVersion(stack));
        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/reports/q3", demo.Token)).StatusCode);
        Assert.Equal("applied", (await stack.ControlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges")[0].GetProperty("lastResult").GetString());
    }

    [Fact]
    public async Task Edge_down_during_token_changes_catches_up_through_the_deltas_it_missed()
    {
        await using var stack = await TestStack.StartAsync(edgePulls: false);
        var demo = await stack.CreateDemoAsync();
        var fullVersion = FullSnapshotVersion(stack);
        await stack.Edge.StopAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await stack.ControlPlane.DeleteAsync($"/v1/tokens/{demo.TokenId}")).Status);
        var late = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "late" });
        var later = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "later" });
        var latest = DatabaseFile.Scalar(stack.ControlPlane.DatabasePath, "SELECT version FROM snapshot_head")!.Value;

        await stack.Edge.RestartAsync(null, stack.EdgeArgs(pull: false));
        await WaitForEdgeVersionAsync(stack.Edge, latest);

        Assert.Equal(HttpStatusCode.Forbidden, (await stack.Edge.GetAsync("/api/hello", demo.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/api/hello", late.Str("token"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/api/hello", later.Str("token"))).StatusCode);
        Assert.DoesNotContain("sending a full snapshot", stack.ControlPlane.Logs.All, StringComparison.Ordinal);
        Assert.Equal(fullVersion, FullSnapshotVersion(stack));
    }

    [Fact]
    public async Task Edge_on_another_state_of_the_version_refuses_the_delta_and_gets_a_full_snapshot()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        var (bytes, _, version) = await stack.ControlPlane.GetSnapshotAsync();

        // The edge takes a snapshot of the next version that is not the control plane's: same key, another state.
        var ours = SnapshotSerializer.Deserialize(bytes);
        var forged = new Snapshot { Version = version + 1, Sites = ours.Sites, Plans = ours.Plans, Resources = ours.Resources, Tokens = ours.Tokens, StateHash = StateHash.Of("another state"u8) };
        var forgedBytes = SnapshotSerializer.Serialize(forged);
        using (var key = SnapshotSigner.LoadPrivateKeyPem(await File.ReadAllTextAsync(stack.ControlPlane.SigningKeyPath)))
        {
            Assert.Equal(HttpStatusCode.OK, (await stack.Edge.PushAsync(forgedBytes, SnapshotSigner.Sign(forgedBytes, key))).StatusCode);
        }

        // Version + 1 from the control plane: the edge says it has it (its version), so it is not sent again.
        var first = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "first" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await stack.Edge.GetAsync("/api/hello", first.Str("token"))).StatusCode);

        // Version + 2 is a delta on the control plane's version + 1, whose hash the edge does not have: refused, then sent in full.
        var second = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "second" });
        var latest = await stack.ControlPlane.SnapshotVersionAsync();
        await WaitForEdgeVersionAsync(stack.Edge, latest);

        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/api/hello", first.Str("token"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/api/hello", second.Str("token"))).StatusCode);
        Assert.Contains($"did not take the delta to version {latest}", stack.ControlPlane.Logs.All, StringComparison.Ordinal);
        Assert.Equal("applied", (await stack.ControlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges")[0].GetProperty("lastResult").GetString());
        using var served = JsonDocument.Parse(await stack.Edge.Admin.GetStringAsync("/v1/snapshot"));
        Assert.Equal(0, served.RootElement.GetProperty("overlayTokens").GetInt32());
    }

    [Fact]
    public async Task Control_plane_restarted_after_deltas_keeps_the_chain_and_serves_the_latest_in_full()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await stack.ControlPlane.DeleteAsync($"/v1/tokens/{demo.TokenId}")).Status);
        await stack.ControlPlane.RestartAsync();

        var next = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "next" });
        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/api/hello", next.Str("token"))).StatusCode);
        Assert.Equal("applied (delta)", (await stack.ControlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges")[0].GetProperty("lastResult").GetString());

        // What an edge pulls on start: the full state of the latest version, declaring its hash, so the next delta applies to it.
        var (bytes, fullSignature, version) = await stack.ControlPlane.GetSnapshotAsync();
        var full = SnapshotSerializer.Deserialize(bytes);
        Assert.Equal(await stack.ControlPlane.SnapshotVersionAsync(), version);
        Assert.Equal(32, full.StateHash.Length);
        Assert.Contains(full.Tokens, t => t.Id == demo.TokenId && t.Revoked);
        Assert.Contains(full.Tokens, t => t.Id == next.Str("id"));

        // An edge with nothing on disk takes that full snapshot (as its pull on start would; the restarted control plane
        // listens on another port than the one the edge was given); the next delta applies on top of it.
        await stack.Edge.StopAsync();
        File.Delete(Path.Combine(stack.Edge.DataDir, "snapshot.bin"));
        File.Delete(Path.Combine(stack.Edge.DataDir, "snapshot.deltas"));
        await stack.Edge.RestartAsync(null, stack.EdgeArgs(pull: false));
        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.PushAsync(bytes, fullSignature)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await stack.ControlPlane.DeleteAsync($"/v1/tokens/{next.Str("id")}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await stack.Edge.GetAsync("/api/hello", next.Str("token"))).StatusCode);
        Assert.Equal("applied (delta)", (await stack.ControlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges")[0].GetProperty("lastResult").GetString());
        Assert.DoesNotContain("newer than ours", stack.ControlPlane.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edge_with_no_snapshot_refuses_a_delta_and_gets_the_full_snapshot()
    {
        await using var stack = await TestStack.StartAsync(edgePulls: false);
        var demo = await stack.CreateDemoAsync();
        await stack.Edge.StopAsync();
        File.Delete(Path.Combine(stack.Edge.DataDir, "snapshot.bin"));
        File.Delete(Path.Combine(stack.Edge.DataDir, "snapshot.deltas"));
        await stack.Edge.RestartAsync(null, stack.EdgeArgs(pull: false));

        var next = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "next" });

        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/api/hello", next.Str("token"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.Edge.GetAsync("/api/hello", demo.Token)).StatusCode);
        Assert.Contains("no snapshot is served yet", stack.ControlPlane.Logs.All, StringComparison.Ordinal);
        Assert.Equal("applied", (await stack.ControlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges")[0].GetProperty("lastResult").GetString());
    }

    private static long FullSnapshotVersion(TestStack stack) => DatabaseFile.Scalar(stack.ControlPlane.DatabasePath, "SELECT version FROM snapshot") ?? 0;

    private static async Task WaitForEdgeVersionAsync(EdgeHost edge, long version)
    {
        var deadline = Stopwatch.StartNew();
        long served = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var json = JsonDocument.Parse(await edge.Admin.GetStringAsync("/v1/snapshot"));
            served = json.RootElement.GetProperty("version").ValueKind == JsonValueKind.Null ? 0 : json.RootElement.GetProperty("version").GetInt64();
            if (served >= version)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the edge serves version {served}, expected {version}");
    }

    private static int QuotaRemaining(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return int.Parse(QuotaPattern().Match(response.Headers.GetValues("RateLimit").Single()).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [GeneratedRegex("\"quota\";r=(\\d+)")]
    private static partial Regex QuotaPattern();
}
