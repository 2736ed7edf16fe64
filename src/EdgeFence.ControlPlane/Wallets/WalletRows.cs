using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Model;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Wallets;

/// <summary>The <c>wallets</c> table: each balance's credited total, the sum of its deposits.</summary>
internal static class WalletRows
{
    /// <summary>Adds <paramref name="amountMicros"/> to the balance (created at 0) and returns its new credited total.</summary>
    public static long Credit(Change change, string siteId, string customer, string currency, long amountMicros)
        => change.Command("""
            INSERT INTO wallets (site_id, customer, currency, credited_micros) VALUES ($site, $customer, $currency, $amount)
            ON CONFLICT (site_id, customer, currency) DO UPDATE SET credited_micros = credited_micros + excluded.credited_micros
            RETURNING credited_micros
            """).With("$site", siteId).With("$customer", customer).With("$currency", currency).With("$amount", amountMicros)
            .ReadAll(r => r.GetInt64(0))[0];

    public static long Credited(Change change, string siteId, string customer, string currency)
        => change.Command("SELECT credited_micros FROM wallets WHERE site_id = $site AND customer = $customer AND currency = $currency")
            .With("$site", siteId).With("$customer", customer).With("$currency", currency).ReadAll(r => r.GetInt64(0)) is [var credited] ? credited : 0;

    /// <summary>A customer's balances at a site, by currency (ordinal order).</summary>
    public static List<(string Currency, long CreditedMicros)> ForCustomer(SqliteConnection connection, string siteId, string customer)
        => connection.Command(null, "SELECT currency, credited_micros FROM wallets WHERE site_id = $site AND customer = $customer ORDER BY currency")
            .With("$site", siteId).With("$customer", customer).ReadAll(r => (r.GetString(0), r.GetInt64(1)));

    /// <summary>
    /// Every balance of a site that exists, for the wallet book. A deleted site's balances stay in the database
    /// (with its deposits, for reconciliation) but no edge serves the site any more, so they are not sent.
    /// </summary>
    public static List<WalletRecord> AllOfLiveSites(Change change)
        => change.Command("""
            SELECT w.site_id, w.customer, w.currency, w.credited_micros FROM wallets w JOIN sites s ON s.id = w.site_id
            ORDER BY w.site_id, w.customer, w.currency
            """).ReadAll(r => new WalletRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)));
}
