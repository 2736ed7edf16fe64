using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Model;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Plans;

/// <summary>The SQL of plans: one row per plan, one per revision of its terms, one per own price of a revision.</summary>
internal static class PlanRows
{
    private const string Select = """
        SELECT p.id, p.site_id, p.current_revision, p.created_at_unix, v.created_at_unix,
               v.name, v.quota_units, v.quota_period, v.quota_mode, v.rate_limit_requests, v.rate_limit_window_seconds, v.price_micros, v.currency,
               v.billing, v.overage_price_micros
        FROM plans p JOIN plan_revisions v ON v.plan_id = p.id AND v.revision = p.current_revision
        """;

    private const string SelectPrices = """
        SELECT rp.plan_id, rp.resource_id, rp.price_micros
        FROM plan_resource_prices rp JOIN plans p ON p.id = rp.plan_id AND rp.revision = p.current_revision
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

    public static PlanResponse? Find(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        var prices = Prices(connection.Command(transaction, SelectPrices + " WHERE p.id = $id").With("$id", id));
        return connection.Command(transaction, Select + " WHERE p.id = $id").With("$id", id).ReadOne(r => Read(r, prices));
    }

    public static List<PlanResponse> ListForSite(SqliteConnection connection, SqliteTransaction? transaction, string siteId)
    {
        var prices = Prices(connection.Command(transaction, SelectPrices + " WHERE p.site_id = $site").With("$site", siteId));
        return connection.Command(transaction, Select + " WHERE p.site_id = $site ORDER BY p.created_at_unix, p.id").With("$site", siteId).ReadAll(r => Read(r, prices));
    }

    public static PlanTerms Terms(PlanResponse plan) => new(
        plan.Name,
        plan.Quota?.Units,
        plan.Quota is null ? QuotaPeriod.Month : Enum.Parse<QuotaPeriod>(plan.Quota.Period!, ignoreCase: true),
        plan.Quota is null ? QuotaMode.Hard : Enum.Parse<QuotaMode>(plan.Quota.Mode!, ignoreCase: true),
        plan.RateLimit?.Requests,
        plan.RateLimit?.WindowSeconds ?? 60,
        (long)(plan.Price * 1_000_000m),
        plan.Currency,
        plan.Billing == "prepaid" ? PlanBilling.Prepaid : PlanBilling.Subscription,
        [.. plan.ResourcePrices.Select(p => new ResourcePrice(p.Key, (long)(p.Value * 1_000_000m))).OrderBy(p => p.ResourceId, StringComparer.Ordinal)],
        plan.OveragePrice is { } overage ? (long)(overage * 1_000_000m) : null);

    /// <summary>The ids in <paramref name="resourceIds"/> that are not resources of <paramref name="siteId"/>.</summary>
    public static List<string> ForeignResources(Change change, string siteId, IEnumerable<string> resourceIds) =>
        [.. resourceIds.Where(id => !change.Command("SELECT 1 FROM resources WHERE id = $id AND site_id = $site").With("$id", id).With("$site", siteId).Exists())];

    private static void InsertRevision(Change change, string id, long revision, PlanTerms terms)
    {
        change.Command("""
            INSERT INTO plan_revisions (plan_id, revision, name, quota_units, quota_period, quota_mode, rate_limit_requests,
                                        rate_limit_window_seconds, price_micros, currency, billing, overage_price_micros, created_at_unix)
            VALUES ($id, $revision, $name, $units, $period, $mode, $requests, $window, $price, $currency, $billing, $overage, $now)
            """).With("$id", id).With("$revision", revision).With("$name", terms.Name).With("$units", terms.QuotaUnits)
            .With("$period", (int)terms.QuotaPeriod).With("$mode", (int)terms.QuotaMode).With("$requests", terms.RateLimitRequests)
            .With("$window", terms.RateLimitWindowSeconds).With("$price", terms.PriceMicros).With("$currency", terms.Currency)
            .With("$billing", (int)terms.Billing).With("$overage", terms.OveragePriceMicros).With("$now", change.NowUnix).Execute();
        foreach (var (resourceId, priceMicros) in terms.ResourcePrices)
        {
            change.Command("""
                INSERT INTO plan_resource_prices (plan_id, revision, resource_id, price_micros) VALUES ($id, $revision, $resource, $price)
                """).With("$id", id).With("$revision", revision).With("$resource", resourceId).With("$price", priceMicros).Execute();
        }
    }

    private static Dictionary<string, List<ResourcePrice>> Prices(SqliteCommand command)
    {
        var result = new Dictionary<string, List<ResourcePrice>>(StringComparer.Ordinal);
        foreach (var (planId, price) in command.ReadAll(r => (r.GetString(0), new ResourcePrice(r.GetString(1), r.GetInt64(2)))))
        {
            if (!result.TryGetValue(planId, out var list))
            {
                result[planId] = list = [];
            }

            list.Add(price);
        }

        return result;
    }

    private static PlanResponse Read(SqliteDataReader r, Dictionary<string, List<ResourcePrice>> prices)
    {
        var id = r.GetString(0);
        var terms = new PlanTerms(
            r.GetString(5),
            r.NullableInt64(6),
            (QuotaPeriod)r.GetInt64(7),
            (QuotaMode)r.GetInt64(8),
            r.IsDBNull(9) ? null : r.GetInt32(9),
            r.GetInt32(10),
            r.GetInt64(11),
            r.GetString(12),
            (PlanBilling)r.GetInt64(13),
            [.. (prices.GetValueOrDefault(id) ?? []).OrderBy(p => p.ResourceId, StringComparer.Ordinal)],
            r.NullableInt64(14));
        return new PlanResponse
        {
            Id = id,
            SiteId = r.GetString(1),
            Revision = r.GetInt64(2),
            CreatedAt = Sql.FromUnix(r.GetInt64(3)),
            UpdatedAt = Sql.FromUnix(r.GetInt64(4)),
            Name = terms.Name,
            Quota = PlanInput.Quota(terms),
            RateLimit = PlanInput.RateLimit(terms),
            Price = PlanInput.PriceOf(terms.PriceMicros),
            Currency = terms.Currency,
            Billing = PlanInput.BillingName(terms.Billing),
            ResourcePrices = PlanInput.ResourcePricesOf(terms),
            OveragePrice = terms.OveragePriceMicros is { } overage ? PlanInput.PriceOf(overage) : null,
        };
    }
}
