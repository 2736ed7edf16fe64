namespace EdgeFence.ControlPlane.Billing;

/// <summary>What EdgeFence keeps of a Stripe subscription, as fetched from Stripe.</summary>
internal sealed record SubscriptionState(string SubscriptionId, string CustomerId, string Status, string PriceId, bool CancelAtPeriodEnd, long CurrentPeriodEndUnix)
{
    /// <summary>
    /// Stripe's terminal states: <c>canceled</c> never comes back, <c>incomplete_expired</c> was never paid.
    /// <c>past_due</c> and <c>unpaid</c> are recorded (suspension, see the README) but keep the token.
    /// </summary>
    public bool Ended => Status is "canceled" or "incomplete_expired";

    public static SubscriptionState From(Stripe.Subscription subscription)
    {
        // In API 2026-10-28 the period lives on the items, not the subscription. EdgeFence sells one flat (licensed) item,
        // and beside it a metered item when the plan has an overage price: the flat one names the plan and the period
        // (the metered item bills the meter's sum over the same period; meter events go by customer, not by item).
        // A pay-as-you-go subscription has only the metered item, whose Price is then the plan's.
        var items = subscription.Items?.Data ?? [];
        var item = items.FirstOrDefault(i => i.Price?.Recurring?.UsageType != "metered") ?? items.FirstOrDefault();
        return new SubscriptionState(
            subscription.Id,
            subscription.CustomerId ?? "",
            subscription.Status ?? "",
            item?.Price?.Id ?? "",
            subscription.CancelAtPeriodEnd,
            item is null ? 0 : new DateTimeOffset(DateTime.SpecifyKind(item.CurrentPeriodEnd, DateTimeKind.Utc)).ToUnixTimeSeconds());
    }
}
