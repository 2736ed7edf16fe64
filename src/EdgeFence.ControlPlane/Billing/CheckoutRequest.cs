namespace EdgeFence.ControlPlane.Billing;

/// <summary>The body of <c>POST /v1/sites/{id}/checkout</c>.</summary>
public sealed class CheckoutRequest
{
    public string? PlanId { get; set; }
    public CheckoutCustomer? Customer { get; set; }

    /// <summary>Where Stripe sends the customer after paying; may contain Stripe's <c>{CHECKOUT_SESSION_ID}</c>.</summary>
    public string? SuccessUrl { get; set; }

    public string? CancelUrl { get; set; }
}
