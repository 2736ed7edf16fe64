using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Wallets;

/// <summary>The <c>deposits</c> table: every credit, written once, never updated or deleted.</summary>
internal static class DepositRows
{
    private const string Select = """
        SELECT seq, id, site_id, customer, currency, amount_micros, idempotency_key, credited_after_micros, wallet_version, created_at_unix_ms
        FROM deposits
        """;

    /// <summary>The deposit an idempotency key already credited for this customer of this site, or null.</summary>
    public static DepositResponse? FindByKey(Change change, string siteId, string customer, string key)
        => change.Command(Select + " WHERE site_id = $site AND customer = $customer AND idempotency_key = $key")
            .With("$site", siteId).With("$customer", customer).With("$key", key).ReadOne(r => Read(r).Deposit);

    public static void Insert(Change change, DepositResponse deposit)
        => change.Command("""
            INSERT INTO deposits (id, site_id, customer, currency, amount_micros, idempotency_key, credited_after_micros, wallet_version, created_at_unix_ms)
            VALUES ($id, $site, $customer, $currency, $amount, $key, $after, $version, $created)
            """).With("$id", deposit.Id).With("$site", deposit.SiteId).With("$customer", deposit.Customer).With("$currency", deposit.Currency)
            .With("$amount", deposit.AmountMicros).With("$key", deposit.IdempotencyKey).With("$after", deposit.CreditedMicros)
            .With("$version", deposit.WalletVersion).With("$created", deposit.CreatedAt.ToUnixTimeMilliseconds()).Execute();

    /// <summary>Up to <paramref name="limit"/> deposits of a customer of a site after position <paramref name="afterSeq"/>, oldest first.</summary>
    public static List<(long Seq, DepositResponse Deposit)> Page(SqliteConnection connection, string siteId, string customer, long afterSeq, int limit)
        => connection.Command(null, Select + " WHERE site_id = $site AND customer = $customer AND seq > $after ORDER BY seq LIMIT $limit")
            .With("$site", siteId).With("$customer", customer).With("$after", afterSeq).With("$limit", limit).ReadAll(Read);

    public static bool AnyForSite(SqliteConnection connection, string siteId)
        => connection.Command(null, "SELECT 1 FROM deposits WHERE site_id = $site LIMIT 1").With("$site", siteId).Exists();

    private static (long Seq, DepositResponse Deposit) Read(SqliteDataReader r) => (r.GetInt64(0), new DepositResponse
    {
        Id = r.GetString(1),
        SiteId = r.GetString(2),
        Customer = r.GetString(3),
        Currency = r.GetString(4),
        AmountMicros = r.GetInt64(5),
        IdempotencyKey = r.GetString(6),
        CreditedMicros = r.GetInt64(7),
        WalletVersion = r.GetInt64(8),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
    });
}
