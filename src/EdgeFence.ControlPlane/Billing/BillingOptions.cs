namespace EdgeFence.ControlPlane.Billing;

/// <summary>The <c>ControlPlane:Stripe</c> configuration section.</summary>
public sealed class BillingOptions
{
    public const string Section = "ControlPlane:Stripe";

    /// <summary>Stripe's API base URL. Tests point it at a local Stripe API on loopback.</summary>
    public string ApiBase { get; set; } = "https://api.stripe.com";

    /// <summary>
    /// File with the 32-byte key the sites' Stripe secrets are encrypted with; created owner-only on first use.
    /// Default: <c>billing-secrets.key</c> beside <c>ControlPlane:SigningKey</c>.
    /// </summary>
    public string? SecretsKey { get; set; }

    /// <summary>Longest wait for one Stripe call, in seconds: a checkout answers 503 rather than hang.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>How long a claim URL works after its checkout was created, in hours.</summary>
    public int ClaimTtlHours { get; set; } = 72;

    /// <summary>
    /// Seconds between meter export rounds (soft-quota overage of Stripe subscriptions to meter events); needs
    /// <c>ControlPlane:Redis</c>, where the edges' ledger is. Stripe aggregates per invoice, so minutes are plenty.
    /// </summary>
    public int MeterExportSeconds { get; set; } = 300;

    /// <summary>
    /// Hours after a subscription's failed payment (Stripe's <c>invoice.payment_failed</c>) its token is suspended, 402
    /// <c>payment-overdue</c> at the edge, unless a paid invoice comes first; 0 suspends at once. Stripe retries a failed
    /// payment for days (Smart Retries): a grace period keeps a customer whose card is being retried served.
    /// </summary>
    public int SuspendAfterHours { get; set; } = 72;

    /// <summary>Seconds between checks for failed payments whose grace period is over.</summary>
    public int SuspensionCheckSeconds { get; set; } = 60;

    /// <summary>The <c>event_name</c> of the Stripe meter overage is reported to (create the meter with it in Stripe).</summary>
    public string OverageMeterEvent { get; set; } = "edgefence_overage";
}
