namespace EdgeFence.ControlPlane.Billing;

/// <summary>The body of <c>PUT /v1/sites/{id}/stripe</c>.</summary>
public sealed class ConnectStripeRequest
{
    /// <summary>A restricted key (<c>rk_test_…</c>, <c>rk_live_…</c>) with write access to Products, Prices, Checkout Sessions and read access to Subscriptions.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The webhook endpoint's signing secret (<c>whsec_…</c>).</summary>
    public string? WebhookSecret { get; set; }
}
