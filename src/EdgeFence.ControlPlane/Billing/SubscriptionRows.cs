using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>The SQL of <c>stripe_subscriptions</c>.</summary>
internal static class SubscriptionRows
{
    private const string Select = """
        SELECT subscription_id, site_id, checkout_id, token_id, status, price_id, state_at_unix, payment_state, payment_state_at_unix
        FROM stripe_subscriptions
        """;

    public static SubscriptionRecord? Find(SqliteConnection connection, SqliteTransaction? transaction, string subscriptionId) =>
        connection.Command(transaction, Select + " WHERE subscription_id = $id").With("$id", subscriptionId).ReadOne(Read);

    public static SubscriptionRecord? FindByCheckout(SqliteConnection connection, SqliteTransaction? transaction, string checkoutId) =>
        connection.Command(transaction, Select + " WHERE checkout_id = $id").With("$id", checkoutId).ReadOne(Read);

    public static void Insert(Change change, string siteId, string checkoutId, string tokenId, SubscriptionState state, long stateAtUnix)
    {
        change.Command("""
            INSERT INTO stripe_subscriptions (subscription_id, site_id, checkout_id, token_id, stripe_customer_id, status, price_id,
                cancel_at_period_end, current_period_end_unix, state_at_unix, payment_state, payment_state_at_unix)
            VALUES ($id, $site, $checkout, $token, $customer, $status, $price, $cancel, $periodEnd, $at, 'none', 0)
            """).With("$id", state.SubscriptionId).With("$site", siteId).With("$checkout", checkoutId).With("$token", tokenId)
            .With("$customer", state.CustomerId).With("$status", state.Status).With("$price", state.PriceId)
            .With("$cancel", state.CancelAtPeriodEnd ? 1 : 0).With("$periodEnd", state.CurrentPeriodEndUnix).With("$at", stateAtUnix).Execute();
    }

    public static void UpdateState(Change change, SubscriptionState state, long stateAtUnix)
    {
        change.Command("""
            UPDATE stripe_subscriptions SET status = $status, price_id = $price, cancel_at_period_end = $cancel,
                current_period_end_unix = $periodEnd, state_at_unix = $at
            WHERE subscription_id = $id
            """).With("$id", state.SubscriptionId).With("$status", state.Status).With("$price", state.PriceId)
            .With("$cancel", state.CancelAtPeriodEnd ? 1 : 0).With("$periodEnd", state.CurrentPeriodEndUnix).With("$at", stateAtUnix).Execute();
    }

    /// <summary>
    /// <c>paid</c> confirms the period up to <paramref name="paidThroughUnix"/> and clears a failure; <c>failed</c> records when
    /// payment failed, the start of the grace period the edge will enforce once its snapshot carries it.
    /// </summary>
    public static void UpdatePayment(Change change, string subscriptionId, string paymentState, long atUnix, long? paidThroughUnix)
    {
        change.Command("""
            UPDATE stripe_subscriptions SET payment_state = $state, payment_state_at_unix = $at,
                payment_failed_at_unix = CASE WHEN $state = 'failed' THEN COALESCE(payment_failed_at_unix, $at) ELSE NULL END,
                paid_through_unix = CASE WHEN $state = 'paid' THEN $paidThrough ELSE paid_through_unix END
            WHERE subscription_id = $id
            """).With("$id", subscriptionId).With("$state", paymentState).With("$at", atUnix).With("$paidThrough", paidThroughUnix).Execute();
    }

    private static SubscriptionRecord Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6), r.GetString(7), r.GetInt64(8));
}
