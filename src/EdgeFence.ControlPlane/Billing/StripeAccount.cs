namespace EdgeFence.ControlPlane.Billing;

/// <summary>A site's Stripe account, opened: only ever held in memory for one request.</summary>
internal sealed record StripeAccount(string SiteId, string SecretKey, string WebhookSecret);
