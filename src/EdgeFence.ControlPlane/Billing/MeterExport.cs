namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// One meter event for a token's overage in one billing period: written (pending) before it is sent, so a crash or
/// Stripe being down leaves it to be sent again with the same <see cref="Identifier"/> and value, which Stripe
/// counts once.
/// </summary>
internal sealed record MeterExport(string SiteId, string TokenId, string StripeCustomerId, long PeriodStartMs, long PeriodEndMs, int Seq, long Units, string Identifier);
