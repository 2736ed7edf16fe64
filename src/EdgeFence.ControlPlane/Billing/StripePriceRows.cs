using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>The SQL of <c>stripe_products</c> and <c>stripe_prices</c>.</summary>
internal static class StripePriceRows
{
    public static string? ProductOf(SqliteConnection connection, SqliteTransaction? transaction, string planId) =>
        connection.Command(transaction, "SELECT product_id FROM stripe_products WHERE plan_id = $plan").With("$plan", planId).ReadOne(r => r.GetString(0));

    /// <summary>The revision's flat Price and metered Price (each null when not recorded).</summary>
    public static (string? PriceId, string? MeteredPriceId) PricesOf(SqliteConnection connection, SqliteTransaction? transaction, string planId, long revision)
    {
        var row = connection.Command(transaction, "SELECT price_id, metered_price_id FROM stripe_prices WHERE plan_id = $plan AND plan_revision = $revision")
            .With("$plan", planId).With("$revision", revision).ReadOne(r => Tuple.Create(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)));
        return row is null ? (null, null) : (row.Item1, row.Item2);
    }

    /// <summary>The plan revision a Stripe Price sells, if it is one of ours on this site.</summary>
    public static (string PlanId, long Revision)? PlanOf(SqliteConnection connection, SqliteTransaction? transaction, string siteId, string priceId)
    {
        var row = connection.Command(transaction, """
            SELECT s.plan_id, s.plan_revision FROM stripe_prices s JOIN plans p ON p.id = s.plan_id
            WHERE s.price_id = $price AND p.site_id = $site
            """).With("$price", priceId).With("$site", siteId).ReadOne(r => Tuple.Create(r.GetString(0), r.GetInt64(1)));
        return row is null ? null : (row.Item1, row.Item2);
    }

    /// <summary>Records what Stripe created. A concurrent checkout may have recorded the same objects first (same idempotency keys): then nothing changes.</summary>
    public static void Record(Change change, string planId, long revision, string productId, string priceId, string? meteredPriceId)
    {
        change.Command("INSERT INTO stripe_products (plan_id, product_id) VALUES ($plan, $product) ON CONFLICT (plan_id) DO NOTHING")
            .With("$plan", planId).With("$product", productId).Execute();
        change.Command("""
            INSERT INTO stripe_prices (price_id, plan_id, plan_revision, metered_price_id, created_at_unix) VALUES ($price, $plan, $revision, $metered, $now)
            ON CONFLICT (price_id) DO UPDATE SET metered_price_id = coalesce(stripe_prices.metered_price_id, excluded.metered_price_id)
            """).With("$price", priceId).With("$plan", planId).With("$revision", revision).With("$metered", meteredPriceId).With("$now", change.NowUnix).Execute();
    }

    /// <summary>A new Stripe account for the site: its Products and Prices are not the old account's.</summary>
    public static void ForgetSite(Change change, string siteId)
    {
        change.Command("DELETE FROM stripe_prices WHERE plan_id IN (SELECT id FROM plans WHERE site_id = $site)").With("$site", siteId).Execute();
        change.Command("DELETE FROM stripe_products WHERE plan_id IN (SELECT id FROM plans WHERE site_id = $site)").With("$site", siteId).Execute();
    }
}
