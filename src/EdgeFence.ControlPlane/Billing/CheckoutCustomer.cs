namespace EdgeFence.ControlPlane.Billing;

/// <summary>Who is buying.</summary>
public sealed class CheckoutCustomer
{
    /// <summary>Prefilled on Stripe's page.</summary>
    public string? Email { get; set; }

    /// <summary>Your id for the customer, sent to the origin in <c>X-EdgeFence-Customer</c>; default the Stripe customer id.</summary>
    public string? Id { get; set; }
}
