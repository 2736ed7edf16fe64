using EdgeFence.ControlPlane.Storage;

namespace EdgeFence.ControlPlane.Usage;

/// <summary>
/// Writes the edges' rollup batches into <c>usage_rollups</c> (migration 5), each batch in one transaction with
/// its idempotency row in <c>usage_rollup_batches</c>: either the batch id is new and every row is added, or it is
/// known and nothing is, so an edge retrying after a lost answer never double-counts.
/// </summary>
/// <remarks>
/// Why SQLite and not DuckDB (both measured here, <c>shared/STRIPE-AND-WEB-NOTES.md</c>: 755k per-minute rows):
/// DuckDB answered rollup queries in 4–27 ms against SQLite's 146–819 ms, but the edges ship pre-aggregated
/// minutes, so the table grows with active keys × minutes, not requests, and the dashboard's queries are over one
/// site or customer and a bounded range, which the primary key and the indexes below serve directly. SQLite is
/// already the control plane's store: one file, one backup, one transaction for batch id + rows, and no 68 MB
/// native library per platform or second single-writer file. If a deployment outgrows it, <see cref="UsageRollups"/>
/// is the one class that reads the table, so the store can move behind it (DuckDB, or ClickHouse at scale).
/// </remarks>
internal sealed class RollupStore
{
    /// <summary>
    /// How long applied batch ids are remembered. An edge retries a batch for as long as its spool keeps it (a
    /// control plane down that long is far beyond any outage planned for); older ids are pruned so the table
    /// cannot grow without bound.
    /// </summary>
    public static readonly TimeSpan BatchIdRetention = TimeSpan.FromDays(35);

    private readonly Database _database;
    private readonly TimeProvider _time;

    // SQLite takes one writer at a time anyway; serializing here keeps concurrent edges from retrying on SQLITE_BUSY.
    private readonly Lock _write = new();

    public RollupStore(Database database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    /// <summary>Applies a validated batch; false when it had been applied before (nothing changed).</summary>
    public bool Apply(string edge, string batch, IReadOnlyList<RollupRowRequest> rows)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_write)
        {
            using var connection = _database.Open();
            using var transaction = connection.BeginTransaction();
            var inserted = connection.Command(transaction, """
                INSERT INTO usage_rollup_batches (edge, batch, rows, received_at_unix) VALUES ($edge, $batch, $rows, $now)
                ON CONFLICT (edge, batch) DO NOTHING
                """).With("$edge", edge).With("$batch", batch).With("$rows", rows.Count).With("$now", now).Execute();
            if (inserted == 0)
            {
                return false;
            }

            using (var upsert = connection.Command(transaction, """
                INSERT INTO usage_rollups (site_id, minute_unix_ms, plan_id, resource, token_id, customer, decision, reason, currency, requests, units, charged_micros)
                VALUES ($site, $minute, $plan, $resource, $token, $customer, $decision, $reason, $currency, $requests, $units, $charged)
                ON CONFLICT (site_id, minute_unix_ms, plan_id, resource, token_id, customer, decision, reason, currency) DO UPDATE SET
                    requests = requests + excluded.requests,
                    units = units + excluded.units,
                    charged_micros = charged_micros + excluded.charged_micros
                """))
            {
                var site = upsert.Parameters.Add("$site", Microsoft.Data.Sqlite.SqliteType.Text);
                var minute = upsert.Parameters.Add("$minute", Microsoft.Data.Sqlite.SqliteType.Integer);
                var plan = upsert.Parameters.Add("$plan", Microsoft.Data.Sqlite.SqliteType.Text);
                var resource = upsert.Parameters.Add("$resource", Microsoft.Data.Sqlite.SqliteType.Text);
                var token = upsert.Parameters.Add("$token", Microsoft.Data.Sqlite.SqliteType.Text);
                var customer = upsert.Parameters.Add("$customer", Microsoft.Data.Sqlite.SqliteType.Text);
                var decision = upsert.Parameters.Add("$decision", Microsoft.Data.Sqlite.SqliteType.Text);
                var reason = upsert.Parameters.Add("$reason", Microsoft.Data.Sqlite.SqliteType.Text);
                var currency = upsert.Parameters.Add("$currency", Microsoft.Data.Sqlite.SqliteType.Text);
                var requests = upsert.Parameters.Add("$requests", Microsoft.Data.Sqlite.SqliteType.Integer);
                var units = upsert.Parameters.Add("$units", Microsoft.Data.Sqlite.SqliteType.Integer);
                var charged = upsert.Parameters.Add("$charged", Microsoft.Data.Sqlite.SqliteType.Integer);
                foreach (var row in rows)
                {
                    site.Value = row.Site;
                    minute.Value = row.Minute;
                    plan.Value = row.Plan ?? "";
                    resource.Value = row.Resource ?? "";
                    token.Value = row.Token ?? "";
                    customer.Value = row.Customer ?? "";
                    decision.Value = row.Decision;
                    reason.Value = row.Reason ?? "";
                    currency.Value = row.Currency ?? "";
                    requests.Value = row.Requests;
                    units.Value = row.Units;
                    charged.Value = row.ChargedMicros;
                    upsert.ExecuteNonQuery();
                }
            }

            connection.Command(transaction, "DELETE FROM usage_rollup_batches WHERE received_at_unix < $before")
                .With("$before", now - (long)BatchIdRetention.TotalSeconds).Execute();
            transaction.Commit();
            return true;
        }
    }
}
