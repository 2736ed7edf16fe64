using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Webhooks;

/// <summary>
/// The SQL of alerts: subscriptions (<c>webhooks</c>), events (<c>webhook_events</c>, unique per dedupe key, so a
/// threshold crossed fires once) and one delivery per event and subscription (<c>webhook_deliveries</c>).
/// </summary>
internal static class WebhookRows
{
    public sealed record Subscription(string Id, string SiteId, string Url, IReadOnlyList<string> Events, string Secret, long CreatedAtUnix);

    public sealed record Delivery(string Id, string EventId, string WebhookId, string Url, string Secret, string Body, int Attempts, long CreatedAtUnixMs);

    public sealed record DeliveryView(string Id, string EventId, string Type, string SiteId, string Url, string State, int Attempts, int? LastStatus, string? LastError, long? LastAttemptUnixMs, long? NextAttemptUnixMs);

    public static void Insert(SqliteConnection connection, Subscription webhook) => connection.Command(null, """
        INSERT INTO webhooks (id, site_id, url, events, secret, created_at_unix) VALUES ($id, $site, $url, $events, $secret, $now)
        """).With("$id", webhook.Id).With("$site", webhook.SiteId).With("$url", webhook.Url).With("$events", string.Join(',', webhook.Events))
        .With("$secret", webhook.Secret).With("$now", webhook.CreatedAtUnix).Execute();

    public static List<Subscription> ForSite(SqliteConnection connection, string siteId) => connection.Command(null,
        "SELECT id, site_id, url, events, secret, created_at_unix FROM webhooks WHERE site_id = $site ORDER BY created_at_unix, id")
        .With("$site", siteId).ReadAll(Read);

    public static List<Subscription> All(SqliteConnection connection) => connection.Command(null,
        "SELECT w.id, w.site_id, w.url, w.events, w.secret, w.created_at_unix FROM webhooks w JOIN sites s ON s.id = w.site_id ORDER BY w.created_at_unix, w.id")
        .ReadAll(Read);

    public static bool Delete(SqliteConnection connection, string siteId, string id) =>
        connection.Command(null, "DELETE FROM webhooks WHERE id = $id AND site_id = $site").With("$id", id).With("$site", siteId).Execute() > 0;

    /// <summary>Records an event once per dedupe key, with a pending delivery per subscriber; false when it had fired already.</summary>
    public static bool Raise(SqliteConnection connection, string eventId, string siteId, string type, string dedupeKey, string body, IEnumerable<string> webhookIds, long nowMs)
    {
        using var transaction = connection.BeginTransaction();
        var inserted = connection.Command(transaction, """
            INSERT INTO webhook_events (id, site_id, type, dedupe_key, body, created_at_unix_ms) VALUES ($id, $site, $type, $key, $body, $now)
            ON CONFLICT (dedupe_key) DO NOTHING
            """).With("$id", eventId).With("$site", siteId).With("$type", type).With("$key", dedupeKey).With("$body", body).With("$now", nowMs).Execute() > 0;
        if (inserted)
        {
            foreach (var webhook in webhookIds)
            {
                connection.Command(transaction, """
                    INSERT INTO webhook_deliveries (id, event_id, webhook_id, state, attempts, next_attempt_unix_ms, created_at_unix_ms)
                    VALUES ($id, $event, $webhook, 'pending', 0, $now, $now)
                    """).With("$id", "dlv_" + Guid.NewGuid().ToString("N")).With("$event", eventId).With("$webhook", webhook).With("$now", nowMs).Execute();
            }
        }

        transaction.Commit();
        return inserted;
    }

    public static List<Delivery> Due(SqliteConnection connection, long nowMs, int limit) => connection.Command(null, """
        SELECT d.id, d.event_id, d.webhook_id, w.url, w.secret, e.body, d.attempts, d.created_at_unix_ms
        FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN webhook_events e ON e.id = d.event_id
        WHERE d.state = 'pending' AND d.next_attempt_unix_ms <= $now ORDER BY d.next_attempt_unix_ms LIMIT $limit
        """).With("$now", nowMs).With("$limit", limit).ReadAll(r => new Delivery(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), (int)r.GetInt64(6), r.GetInt64(7)));

    public static void Record(SqliteConnection connection, string id, string state, int attempts, int? status, string? error, long nowMs, long? nextMs) => connection.Command(null, """
        UPDATE webhook_deliveries SET state = $state, attempts = $attempts, last_status = $status, last_error = $error,
            last_attempt_unix_ms = $now, next_attempt_unix_ms = COALESCE($next, next_attempt_unix_ms)
        WHERE id = $id
        """).With("$id", id).With("$state", state).With("$attempts", attempts).With("$status", status).With("$error", error).With("$now", nowMs).With("$next", nextMs).Execute();

    public static List<DeliveryView> Recent(SqliteConnection connection, int limit) => connection.Command(null, """
        SELECT d.id, d.event_id, e.type, e.site_id, w.url, d.state, d.attempts, d.last_status, d.last_error, d.last_attempt_unix_ms,
               CASE WHEN d.state = 'pending' THEN d.next_attempt_unix_ms END
        FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
        ORDER BY d.created_at_unix_ms DESC, d.id LIMIT $limit
        """).With("$limit", limit).ReadAll(r => new DeliveryView(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
            (int)r.GetInt64(6), r.IsDBNull(7) ? null : (int)r.GetInt64(7), r.NullableString(8), r.NullableInt64(9), r.NullableInt64(10)));

    private static Subscription Read(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3).Split(',', StringSplitOptions.RemoveEmptyEntries), r.GetString(4), r.GetInt64(5));
}
