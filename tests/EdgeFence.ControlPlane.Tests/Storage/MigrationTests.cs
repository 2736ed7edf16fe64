using EdgeFence.ControlPlane.Hosting;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Storage;

public sealed class MigrationTests
{
    [Fact]
    public async Task Schema_is_migrated_once_and_data_survives_a_restart()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });
        var version = await controlPlane.SnapshotVersionAsync();

        await controlPlane.RestartAsync();

        Assert.Equal(EdgeFence.ControlPlane.Storage.Migrations.All.Count, DatabaseFile.Count(controlPlane.DatabasePath, "schema_migrations"));
        Assert.Single((await controlPlane.GetAsync("/v1/sites")).Json.GetProperty("items").EnumerateArray());
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
    }

    [Fact]
    public async Task Database_with_a_newer_schema_is_refused_at_start()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        await controlPlane.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        DatabaseFile.Execute(controlPlane.DatabasePath, "INSERT INTO schema_migrations (version, name, applied_at_unix) VALUES (999, 'from the future', 0)");

        var error = await Assert.ThrowsAsync<ControlPlaneConfigurationException>(controlPlane.RestartAsync);

        Assert.Equal("ControlPlane:Database", error.Key);
        Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }
}
