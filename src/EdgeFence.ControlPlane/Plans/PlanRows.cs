using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Model;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Plans;

/// <summary>The SQL of plans: one row per plan, one per revision of its terms.</summary>
internal static class PlanRows
{
    private const string Select = """
        SELECT p.id, p.site_id, p.current_revision, p.created_at_unix, v.created_at_unix,
               v.name, v.quota_units, v.quota_period, v.quota_mode, v.rate_limit_requests, v.rate_limit_window_seconds, v.price_micros, v.currency
        FROM plans p JOIN plan_revisions v ON v.plan_id = p.id AND v.revision = p.current_revision
        """;

    public static void Insert(Change change, string id, string siteId, PlanTerms terms)
    {
        change.Command("INSERT INTO plans (id, site_id, current_revision, created_at_unix) VALUES ($id, $site, 1, $now)")
            .With("$id", id).With("$site", siteId).With("$now", change.NowUnix).Execute();
        InsertRevision(change, id, 1, terms);
    }

    /// <summary>Adds revision <paramref name="revision"/> and makes it current; tokens on earlier ones stay there.</summary>
    public static void AddRevision(Change change, string id, long revision, PlanTerms terms)
    {
        InsertRevision(change, id, revision, terms);
        change.Command("UPDATE plans SET current_revision = $revision WHERE id = $id").With("$id", id).With("$revision", revision).Execute();
    }

    public static PlanResponse? Find(SqliteConnection connection, SqliteTransaction? transaction, string id) =>
        connection.Command(transaction, Select + " WHERE p.id = $id").With("$id", id).ReadOne(Read);

    public static List<PlanResponse> ListForSite(SqliteConnection connection, SqliteTransaction? transaction, string siteId) =>
        connection.Command(transaction, Select + " WHERE p.site_id = $site ORDER BY p.created_at_unix, p.id").With("$site", siteId).ReadAll(Read);

    public static PlanTerms Terms(PlanResponse plan) => new(
        plan.Name,
        plan.Quota?.Units,
        plan.Quota is null ? QuotaPeriod.Month : Enum.Parse<QuotaPeriod>(plan.Quota.Period!, ignoreCase: true),
        plan.Quota is null ? QuotaMode.Hard : Enum.Parse<QuotaMode>(plan.Quota.Mode!, ignoreCase: true),
        plan.RateLimit?.Requests,
        plan.RateLimit?.WindowSeconds ?? 60,
        (long)(plan.Price * 1_000_000m),
        plan.Currency);

    private static void InsertRevision(Change change, string id, long revision, PlanTerms terms)
    {
        change.Command("""
            INSERT INTO plan_revisions (plan_id, revision, name, quota_units, quota_period, quota_mode, rate_limit_requests,
                                        rate_limit_window_seconds, price_micros, currency, created_at_unix)
            VALUES ($id, $revision, $name, $units, $period, $mode, $requests, $window, $price, $currency, $now)
            """).With("$id", id).With("$revision", revision).With("$name", terms.Name).With("$units", terms.QuotaUnits)
            .With("$period", (int)terms.QuotaPeriod).With("$mode", (int)terms.QuotaMode).With("$requests", terms.RateLimitRequests)
            .With("$window", terms.RateLimitWindowSeconds).With("$price", terms.PriceMicros).With("$currency", terms.Currency)
            .With("$now", change.NowUnix).Execute();
    }

    private static PlanResponse Read(SqliteDataReader r)
    {
        var terms = new PlanTerms(
            r.GetString(5),
            r.NullableInt64(6),
            (QuotaPeriod)r.GetInt64(7),
            (QuotaMode)r.GetInt64(8),
            r.IsDBNull(9) ? null : r.GetInt32(9),
            r.GetInt32(10),
            r.GetInt64(11),
            r.GetString(12));
        return new PlanResponse
        {
            Id = r.GetString(0),
            SiteId = r.GetString(1),
            Revision = r.GetInt64(2),
            CreatedAt = Sql.FromUnix(r.GetInt64(3)),
            UpdatedAt = Sql.FromUnix(r.GetInt64(4)),
            Name = terms.Name,
            Quota = PlanInput.Quota(terms),
            RateLimit = PlanInput.RateLimit(terms),
            Price = PlanInput.PriceOf(terms.PriceMicros),
            Currency = terms.Currency,
        };
    }
}
