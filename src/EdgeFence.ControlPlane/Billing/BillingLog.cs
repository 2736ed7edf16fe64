using EdgeFence.ControlPlane.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>Billing's log lines: ids of sites, checkouts, events and tokens only, never a key, a secret, a claim code or a token.</summary>
internal static partial class BillingLog
{
    [LoggerMessage(EventIds.StripeConnected, LogLevel.Information, "Site {SiteId} connected Stripe (key ending {Last4}); {Prices} plan prices in Stripe")]
    public static partial void Connected(ILogger logger, string siteId, string last4, int prices);

    [LoggerMessage(EventIds.StripeCheckoutCreated, LogLevel.Information, "Checkout {CheckoutId} for plan {PlanId} on site {SiteId}: Stripe session {SessionId}")]
    public static partial void CheckoutCreated(ILogger logger, string checkoutId, string planId, string siteId, string sessionId);

    // Debug: a bad signature is the sender's problem (or an attack), not the operator's, and Stripe shows failures itself.
    [LoggerMessage(EventIds.StripeWebhookRefused, LogLevel.Debug, "Stripe webhook for site {SiteId} refused: {Reason}")]
    public static partial void WebhookRefused(ILogger logger, string siteId, string reason);

    [LoggerMessage(EventIds.StripeEventProcessed, LogLevel.Information, "Stripe event {EventId} ({Type}) for site {SiteId}: {Outcome}")]
    public static partial void EventProcessed(ILogger logger, string eventId, string type, string siteId, string outcome);

    [LoggerMessage(EventIds.StripeClaimed, LogLevel.Information, "Checkout {CheckoutId} claimed: token {TokenId} issued")]
    public static partial void Claimed(ILogger logger, string checkoutId, string tokenId);

    [LoggerMessage(EventIds.StripeSecretUnreadable, LogLevel.Error, "The Stripe secrets of site {SiteId} do not open with the billing secrets key (was the key file replaced?); connect Stripe again")]
    public static partial void SecretUnreadable(ILogger logger, string siteId);

    [LoggerMessage(606, LogLevel.Information, "Meter event {Identifier}: {Units} overage units of token {TokenId} taken by Stripe")]
    public static partial void MeterExported(ILogger logger, string identifier, long units, string tokenId);

    [LoggerMessage(607, LogLevel.Warning, "Meter export did not finish this round, retried next round: {Detail}")]
    public static partial void MeterExportFailed(ILogger logger, string detail);

    [LoggerMessage(608, LogLevel.Warning, "Suspension check did not finish, retried next check: {Detail}")]
    public static partial void SuspensionFailed(ILogger logger, string detail);
}
