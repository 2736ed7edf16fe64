namespace EdgeFence.ControlPlane.Billing;

/// <summary>One row of <c>stripe_subscriptions</c>: the Stripe subscription and the token it pays for.</summary>
internal sealed record SubscriptionRecord(
    string SubscriptionId,
    string SiteId,
    string CheckoutId,
    string TokenId,
    string Status,
    string PriceId,
    long StateAtUnix,
    string PaymentState,
    long PaymentStateAtUnix);
