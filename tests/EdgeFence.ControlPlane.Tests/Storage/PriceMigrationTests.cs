using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeFence.ControlPlane.Tests.Storage;

public sealed class PriceMigrationTests
{
    [Fact]
    public async Task Rows_written_before_prices_read_as_free_paid_by_token_on_a_subscription_after_the_migration()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        await controlPlane.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(controlPlane.Directory, "controlplane.db*"))
        {
            File.Delete(file);
        }

        // :: A database as the first schema left it, with a site, a plan, a resource and a token in it.
        Migrator.Migrate(new Database(controlPlane.DatabasePath), [Migrations.All[0]], NullLogger.Instance);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        DatabaseFile.Execute(controlPlane.DatabasePath, """
            INSERT INTO sites (id, name, slug, origin_url, hmac_secret, origin_key_hash, deny_by_default, created_at_unix)
            VALUES ('site_old', 'Old', 'old', 'http://127.0.0.1:9', randomblob(32), randomblob(32), 0, 1);
            INSERT INTO plans (id, site_id, current_revision, created_at_unix) VALUES ('plan_old', 'site_old', 1, 1);
            INSERT INTO plan_revisions (plan_id, revision, name, quota_units, quota_period, quota_mode, rate_limit_requests,
                                        rate_limit_window_seconds, price_micros, currency, created_at_unix)
            VALUES ('plan_old', 1, 'Old plan', 100, 3, 0, NULL, 60, 9990000, 'USD', 1);
            INSERT INTO resources (id, site_id, pattern, methods, cost, private_path, created_at_unix)
            VALUES ('res_old', 'site_old', '/api/*', '', 1, NULL, 1);
            """);

        // :: The control plane migrates it on start and issues a snapshot from those rows.
        await controlPlane.RestartAsync();

        Assert.Equal(Migrations.All.Count, DatabaseFile.Count(controlPlane.DatabasePath, "schema_migrations"));
        var resource = await controlPlane.GetAsync("/v1/resources/res_old");
        Assert.Equal(0m, resource.Json.GetProperty("price").GetDecimal());
        Assert.Equal("USD", resource.Str("currency"));
        Assert.Equal("token", resource.Str("payment"));
        var plan = await controlPlane.GetAsync("/v1/plans/plan_old");
        Assert.Equal("subscription", plan.Str("billing"));
        Assert.Empty(plan.Json.GetProperty("resourcePrices").EnumerateObject());
        var site = await controlPlane.GetAsync("/v1/sites/site_old");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, site.Json.GetProperty("x402").ValueKind);

        var snapshot = SnapshotSerializer.Deserialize((await controlPlane.GetSnapshotAsync()).Bytes);
        Assert.Equal(0, Assert.Single(snapshot.Resources).PriceMicros);
        Assert.Equal(ResourcePayment.Token, snapshot.Resources[0].Payment);
        Assert.Equal(PlanBilling.Subscription, Assert.Single(snapshot.Plans).Billing);
        Assert.Null(Assert.Single(snapshot.Sites).TopUpUrl);
    }
}
