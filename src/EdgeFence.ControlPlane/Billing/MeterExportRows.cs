using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>The <c>stripe_meter_exports</c> table: every meter event EdgeFence decided to send, and whether Stripe took it.</summary>
internal static class MeterExportRows
{
    /// <summary>Stripe's limit on a meter event identifier.</summary>
    private const int MaxIdentifierLength = 100;

    /// <summary>
    /// The event's identifier: site, token, period and sequence, so the same export is always the same identifier.
    /// Ids are short in practice; past Stripe's limit the same string is hashed, still deterministic.
    /// </summary>
    public static string IdentifierFor(string siteId, string tokenId, long periodStartMs, int seq)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"ef:{siteId}:{tokenId}:{periodStartMs / 1000}:{seq}");
        return id.Length <= MaxIdentifierLength ? id : "ef:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }

    /// <summary>Units of all exports of the token's period, sent or pending: what no new export may cover again.</summary>
    public static (long Units, int LastSeq) Covered(SqliteConnection connection, SqliteTransaction transaction, string siteId, string tokenId, long periodStartMs)
        => connection.Command(transaction, """
            SELECT COALESCE(SUM(units), 0), COALESCE(MAX(seq), 0) FROM stripe_meter_exports
            WHERE site_id = $site AND token_id = $token AND period_start_ms = $period
            """).With("$site", siteId).With("$token", tokenId).With("$period", periodStartMs)
            .ReadOne(r => new Tuple<long, int>(r.GetInt64(0), r.GetInt32(1))) is { } t ? (t.Item1, t.Item2) : (0, 0);

    public static void Insert(SqliteConnection connection, SqliteTransaction transaction, MeterExport export, long nowUnix)
        => connection.Command(transaction, """
            INSERT INTO stripe_meter_exports (site_id, token_id, stripe_customer_id, period_start_ms, period_end_ms, seq, units, identifier, created_at_unix, sent_at_unix, last_error)
            VALUES ($site, $token, $customer, $start, $end, $seq, $units, $identifier, $now, NULL, NULL)
            """).With("$site", export.SiteId).With("$token", export.TokenId).With("$customer", export.StripeCustomerId)
            .With("$start", export.PeriodStartMs).With("$end", export.PeriodEndMs).With("$seq", export.Seq).With("$units", export.Units)
            .With("$identifier", export.Identifier).With("$now", nowUnix).Execute();

    /// <summary>Up to <paramref name="limit"/> exports Stripe has not taken yet, oldest first.</summary>
    public static List<MeterExport> Pending(SqliteConnection connection, int limit)
        => connection.Command(null, """
            SELECT site_id, token_id, stripe_customer_id, period_start_ms, period_end_ms, seq, units, identifier FROM stripe_meter_exports
            WHERE sent_at_unix IS NULL ORDER BY created_at_unix, rowid LIMIT $limit
            """).With("$limit", limit).ReadAll(r => new MeterExport(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetInt32(5), r.GetInt64(6), r.GetString(7)));

    public static void MarkSent(SqliteConnection connection, MeterExport export, long nowUnix)
        => connection.Command(null, "UPDATE stripe_meter_exports SET sent_at_unix = $now, last_error = NULL WHERE identifier = $identifier")
            .With("$now", nowUnix).With("$identifier", export.Identifier).Execute();

    public static void MarkFailed(SqliteConnection connection, MeterExport export, string error)
        => connection.Command(null, "UPDATE stripe_meter_exports SET last_error = $error WHERE identifier = $identifier")
            .With("$error", error).With("$identifier", export.Identifier).Execute();

    /// <summary>Units of the token's period Stripe took, and units still waiting to be sent.</summary>
    public static (long Sent, long Pending) Totals(SqliteConnection connection, string tokenId, long periodStartMs)
        => connection.Command(null, """
            SELECT COALESCE(SUM(CASE WHEN sent_at_unix IS NOT NULL THEN units END), 0), COALESCE(SUM(CASE WHEN sent_at_unix IS NULL THEN units END), 0)
            FROM stripe_meter_exports WHERE token_id = $token AND period_start_ms = $period
            """).With("$token", tokenId).With("$period", periodStartMs)
            .ReadOne(r => new Tuple<long, long>(r.GetInt64(0), r.GetInt64(1))) is { } t ? (t.Item1, t.Item2) : (0, 0);
}
