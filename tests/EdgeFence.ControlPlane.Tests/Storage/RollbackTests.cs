using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Storage;

/// <summary>
/// Changes the snapshot validator refuses are refused after their rows were written, inside the transaction:
/// the refusal must roll all of them back and leave the version counter alone.
/// </summary>
public sealed class RollbackTests
{
    [Fact]
    public async Task Site_refused_after_its_rows_were_written_leaves_database_and_snapshot_version_unchanged()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        Assert.Equal(HttpStatusCode.Created, (await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9", hosts = new[] { "api.example.com" } })).Status);
        var version = await controlPlane.SnapshotVersionAsync();
        var before = Rows(controlPlane);

        // Host taken by another site: only the whole-snapshot validation, after the inserts, can see that.
        var response = await controlPlane.PostAsync("/v1/sites", new
        {
            name = "B",
            slug = "b",
            originUrl = "http://127.0.0.1:9",
            hosts = new[] { "b.example.com", "API.example.com" },
            staticHeaders = new Dictionary<string, string> { ["X-Key"] = "value" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("hosts[1]", response.Str("field"));
        Assert.Contains("belongs to another site", response.Text, StringComparison.Ordinal);
        Assert.Equal(before, Rows(controlPlane));
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
        Assert.Equal(1, DatabaseFile.Count(controlPlane.DatabasePath, "snapshot WHERE version = " + version));
    }

    [Fact]
    public async Task Plan_update_refused_by_validation_adds_no_revision()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });
        var plan = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "P", quota = new { units = 5 } });
        var version = await controlPlane.SnapshotVersionAsync();

        // A name the edge cannot send in a header: refused by the snapshot validator, after the revision was inserted.
        var response = await controlPlane.PatchAsync($"/v1/plans/{plan.Str("id")}", new { name = "Pro\nPlan", quota = new { units = 10 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("name", response.Str("field"));
        Assert.Equal(1, DatabaseFile.Count(controlPlane.DatabasePath, "plan_revisions"));
        var current = await controlPlane.GetAsync($"/v1/plans/{plan.Str("id")}");
        Assert.Equal(1, current.Json.GetProperty("revision").GetInt64());
        Assert.Equal(5, current.Json.GetProperty("quota").GetProperty("units").GetInt64());
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
    }

    private static string Rows(ControlPlaneHost controlPlane) => string.Join(',',
        new[] { "sites", "site_hosts", "site_injections", "plans", "resources", "tokens", "token_hashes" }.Select(t => DatabaseFile.Count(controlPlane.DatabasePath, t)));
}
