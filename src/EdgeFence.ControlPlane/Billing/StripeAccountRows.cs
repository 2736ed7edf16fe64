using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>The SQL of <c>stripe_accounts</c>: sealed secrets in, sealed secrets out.</summary>
internal static class StripeAccountRows
{
    public const string KeyField = "secret_key";
    public const string WebhookField = "webhook_secret";

    public static void Upsert(Change change, string siteId, byte[] keyBox, byte[] webhookBox, string last4, bool live)
    {
        change.Command("""
            INSERT INTO stripe_accounts (site_id, secret_key_box, webhook_secret_box, key_last4, live, connected_at_unix)
            VALUES ($site, $key, $webhook, $last4, $live, $now)
            ON CONFLICT (site_id) DO UPDATE SET secret_key_box = excluded.secret_key_box, webhook_secret_box = excluded.webhook_secret_box,
                key_last4 = excluded.key_last4, live = excluded.live, connected_at_unix = excluded.connected_at_unix
            """).With("$site", siteId).With("$key", keyBox).With("$webhook", webhookBox).With("$last4", last4)
            .With("$live", live ? 1 : 0).With("$now", change.NowUnix).Execute();
    }

    public static StripeConnectionResponse Connection(SqliteConnection connection, SqliteTransaction? transaction, string siteId) =>
        connection.Command(transaction, "SELECT key_last4, live, connected_at_unix FROM stripe_accounts WHERE site_id = $site").With("$site", siteId)
            .ReadOne(r => new StripeConnectionResponse
            {
                Connected = true,
                KeyLast4 = r.GetString(0),
                Mode = r.GetInt64(1) != 0 ? "live" : "test",
                ConnectedAt = Sql.FromUnix(r.GetInt64(2)),
                WebhookPath = StripeWebhookEndpoint.PathFor(siteId),
            })
        ?? new StripeConnectionResponse { Connected = false, WebhookPath = StripeWebhookEndpoint.PathFor(siteId) };

    /// <summary>The site's account opened with <paramref name="box"/>, or null when the site has not connected Stripe.</summary>
    public static StripeAccount? Open(SqliteConnection connection, SqliteTransaction? transaction, StripeSecretBox box, string siteId)
    {
        var sealedRow = connection.Command(transaction, "SELECT secret_key_box, webhook_secret_box FROM stripe_accounts WHERE site_id = $site").With("$site", siteId)
            .ReadOne(r => new[] { (byte[])r.GetValue(0), (byte[])r.GetValue(1) });
        return sealedRow is null
            ? null
            : new StripeAccount(siteId, box.Open(siteId, KeyField, sealedRow[0]), box.Open(siteId, WebhookField, sealedRow[1]));
    }
}
