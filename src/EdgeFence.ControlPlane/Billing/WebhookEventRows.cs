using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>The SQL of <c>stripe_events</c>: the ids of events already processed, with what became of them.</summary>
internal static class WebhookEventRows
{
    /// <summary>
    /// How long processed ids are kept. Stripe retries an event for up to 3 days; a month covers that and a
    /// replay of an old signed body is refused earlier anyway, by the signature's timestamp tolerance.
    /// </summary>
    public const long RetentionSeconds = 30 * 86_400;

    public static string? OutcomeOf(Change change, string eventId) =>
        change.Command("SELECT outcome FROM stripe_events WHERE event_id = $id").With("$id", eventId).ReadOne(r => r.GetString(0));

    public static void Record(Change change, string eventId, string siteId, string type, long createdUnix, string outcome)
    {
        change.Command("""
            INSERT INTO stripe_events (event_id, site_id, type, created_unix, outcome, processed_at_unix)
            VALUES ($id, $site, $type, $created, $outcome, $now)
            """).With("$id", eventId).With("$site", siteId).With("$type", type).With("$created", createdUnix)
            .With("$outcome", outcome).With("$now", change.NowUnix).Execute();
        change.Command("DELETE FROM stripe_events WHERE processed_at_unix < $before").With("$before", change.NowUnix - RetentionSeconds).Execute();
    }
}
