namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary>A checkout the local Stripe's customer paid, as <see cref="BillingStack.PaidCheckoutAsync"/> left it.</summary>
public sealed record PaidCheckout(string CheckoutId, string SessionId, string SubscriptionId, string ClaimUrl);
