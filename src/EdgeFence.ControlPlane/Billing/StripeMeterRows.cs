using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>The SQL of <c>stripe_meters</c>: the Billing Meter each site's Stripe account has for an event name.</summary>
internal static class StripeMeterRows
{
    public static string? MeterOf(SqliteConnection connection, SqliteTransaction? transaction, string siteId, string eventName) =>
        connection.Command(transaction, "SELECT meter_id FROM stripe_meters WHERE site_id = $site AND event_name = $event")
            .With("$site", siteId).With("$event", eventName).ReadOne(r => r.GetString(0));

    /// <summary>Records the meter; one recorded first by a concurrent call is the same meter (found by event name, or the same idempotency key).</summary>
    public static void Record(SqliteConnection connection, SqliteTransaction? transaction, string siteId, string eventName, string meterId, long nowUnix) =>
        connection.Command(transaction, """
            INSERT INTO stripe_meters (site_id, event_name, meter_id, created_at_unix) VALUES ($site, $event, $meter, $now)
            ON CONFLICT (site_id, event_name) DO NOTHING
            """).With("$site", siteId).With("$event", eventName).With("$meter", meterId).With("$now", nowUnix).Execute();

    /// <summary>A new Stripe account for the site: the old account's meter is not in it.</summary>
    public static void ForgetSite(Change change, string siteId) =>
        change.Command("DELETE FROM stripe_meters WHERE site_id = $site").With("$site", siteId).Execute();
}
