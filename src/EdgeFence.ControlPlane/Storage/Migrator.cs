using EdgeFence.ControlPlane.Hosting;
using EdgeFence.ControlPlane.Logging;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Storage;

/// <summary>Brings the schema up to date on start, one transaction per step, so a failed step leaves the previous version.</summary>
internal static class Migrator
{
    public static int Migrate(Database database, IReadOnlyList<Migration> migrations, ILogger logger)
    {
        using var connection = database.Open();
        Execute(connection, null, "PRAGMA journal_mode = WAL;");
        Execute(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at_unix INTEGER NOT NULL
            );
            """);

        using var read = connection.CreateCommand();
        read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        var current = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (current > latest)
        {
            // A newer build wrote this schema; running older code on it could corrupt what it does not know.
            throw new ControlPlaneConfigurationException("ControlPlane:Database", $"'{database.Path}' has schema version {current}, newer than this build's {latest}; run a newer control plane");
        }

        // Every step not recorded, not only those above the maximum: steps written in parallel branches (2, wallets;
        // 3, Stripe) can reach a database out of order, 3 before 2, and 2 must still run. They touch separate tables.
        var applied = new HashSet<int>();
        using (var versions = connection.CreateCommand())
        {
            versions.CommandText = "SELECT version FROM schema_migrations";
            using var reader = versions.ExecuteReader();
            while (reader.Read())
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var migration in migrations)
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            using var transaction = connection.BeginTransaction();
            Execute(connection, transaction, migration.Sql);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at_unix) VALUES ($version, $name, $now)";
            record.Parameters.AddWithValue("$version", migration.Version);
            record.Parameters.AddWithValue("$name", migration.Name);
            record.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            record.ExecuteNonQuery();
            transaction.Commit();
            Log.SchemaMigrated(logger, migration.Version, migration.Name);
            current = Math.Max(current, migration.Version);
        }

        return current;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
