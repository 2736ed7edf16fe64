using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// Makes sure a site's Stripe account has the overage Billing Meter (<see cref="BillingOptions.OverageMeterEvent"/>):
/// the recorded one, else an active one with that event name (made by hand, or by us before our record was lost), else
/// a new one. Created once: Stripe refuses a second active meter with one event name, and our idempotency key makes a
/// retried create return the first.
/// </summary>
internal sealed class StripeMeters
{
    private readonly Database _database;
    private readonly StripeGateway _stripe;
    private readonly string _eventName;

    public StripeMeters(Database database, StripeGateway stripe, BillingOptions options)
    {
        _database = database;
        _stripe = stripe;
        _eventName = options.OverageMeterEvent;
    }

    /// <summary>The meter recorded for the site, or null (always null with <paramref name="ignoreRecorded"/>: another Stripe account).</summary>
    public string? Recorded(string siteId, bool ignoreRecorded)
    {
        if (ignoreRecorded)
        {
            return null;
        }

        using var connection = _database.Open();
        return StripeMeterRows.MeterOf(connection, null, siteId, _eventName);
    }

    /// <summary>The meter's id: recorded, found by event name, or created. Calls Stripe outside any transaction and writes nothing.</summary>
    public async Task<string> EnsureAsync(StripeAccount account, bool ignoreRecorded, CancellationToken cancellationToken) =>
        Recorded(account.SiteId, ignoreRecorded)
        ?? await _stripe.FindMeterAsync(account, _eventName, cancellationToken).ConfigureAwait(false)
        ?? await _stripe.CreateMeterAsync(account, _eventName, cancellationToken).ConfigureAwait(false);

    public void Record(SqliteConnection connection, SqliteTransaction? transaction, string siteId, string meterId, long nowUnix) =>
        StripeMeterRows.Record(connection, transaction, siteId, _eventName, meterId, nowUnix);
}
