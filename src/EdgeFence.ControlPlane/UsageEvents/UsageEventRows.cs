using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>
/// The <c>usage_events</c> table (every event, written once) and <c>usage_event_totals</c> (per token and period,
/// the units of all its events, and how much of that Redis has acknowledged).
/// </summary>
internal static class UsageEventRows
{
    private const string Select = """
        SELECT id, site_id, token_id, customer, metric, quantity, units, idempotency_key, occurred_at_unix_ms, period_start_ms, period_units, created_at_unix_ms
        FROM usage_events
        """;

    public static UsageEventResponse? FindByKey(Change change, string siteId, string key)
        => change.Command(Select + " WHERE site_id = $site AND idempotency_key = $key").With("$site", siteId).With("$key", key).ReadOne(Read);

    public static void Insert(Change change, UsageEventResponse e)
        => change.Command("""
            INSERT INTO usage_events (id, site_id, token_id, customer, metric, quantity, units, idempotency_key, occurred_at_unix_ms, period_start_ms, period_units, created_at_unix_ms)
            VALUES ($id, $site, $token, $customer, $metric, $quantity, $units, $key, $occurred, $period, $total, $created)
            """).With("$id", e.Id).With("$site", e.SiteId).With("$token", e.TokenId).With("$customer", e.Customer).With("$metric", e.Metric)
            .With("$quantity", e.Quantity).With("$units", e.Units).With("$key", e.IdempotencyKey)
            .With("$occurred", e.OccurredAt.ToUnixTimeMilliseconds()).With("$period", e.PeriodStart.ToUnixTimeMilliseconds())
            .With("$total", e.PeriodUnits).With("$created", e.CreatedAt.ToUnixTimeMilliseconds()).Execute();

    /// <summary>Adds <paramref name="units"/> to the token's total for the period; returns the new total.</summary>
    public static long AddToTotal(Change change, string siteId, string tokenId, long periodStartMs, long expireAtMs, long units)
    {
        change.Command("""
            INSERT INTO usage_event_totals (site_id, token_id, period_start_ms, units, pushed_units, expire_at_ms)
            VALUES ($site, $token, $period, $units, 0, $expire)
            ON CONFLICT (site_id, token_id, period_start_ms) DO UPDATE SET units = units + excluded.units
            """).With("$site", siteId).With("$token", tokenId).With("$period", periodStartMs).With("$units", units).With("$expire", expireAtMs).Execute();
        using var read = change.Command("SELECT units FROM usage_event_totals WHERE site_id = $site AND token_id = $token AND period_start_ms = $period")
            .With("$site", siteId).With("$token", tokenId).With("$period", periodStartMs);
        return (long)read.ExecuteScalar()!;
    }

    /// <summary>Up to <paramref name="limit"/> totals Redis has not acknowledged in full, oldest period first.</summary>
    public static List<UsageTotal> Unpushed(SqliteConnection connection, int limit)
        => connection.Command(null, """
            SELECT site_id, token_id, period_start_ms, units, expire_at_ms FROM usage_event_totals
            WHERE pushed_units < units ORDER BY period_start_ms LIMIT $limit
            """).With("$limit", limit).ReadAll(r => new UsageTotal(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)));

    /// <summary>Records that Redis holds at least <paramref name="units"/> for the total (never lowers what was acknowledged).</summary>
    public static void MarkPushed(SqliteConnection connection, UsageTotal total)
        => connection.Command(null, """
            UPDATE usage_event_totals SET pushed_units = MAX(pushed_units, $units)
            WHERE site_id = $site AND token_id = $token AND period_start_ms = $period
            """).With("$units", total.Units).With("$site", total.SiteId).With("$token", total.TokenId).With("$period", total.PeriodStartMs).Execute();

    private static UsageEventResponse Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        SiteId = r.GetString(1),
        TokenId = r.GetString(2),
        Customer = r.GetString(3),
        Metric = r.GetString(4),
        Quantity = r.GetInt64(5),
        Units = r.GetInt64(6),
        IdempotencyKey = r.GetString(7),
        OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        PeriodStart = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
        PeriodUnits = r.GetInt64(10),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
    };
}
