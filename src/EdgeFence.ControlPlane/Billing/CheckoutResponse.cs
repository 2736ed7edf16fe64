namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// The answer to <c>POST /v1/sites/{id}/checkout</c>: send the customer to <see cref="Url"/>; after payment,
/// <see cref="ClaimUrl"/> gives the token once. The claim URL is shown only here.
/// </summary>
public sealed class CheckoutResponse
{
    public required string CheckoutId { get; init; }
    public required string SessionId { get; init; }

    /// <summary>Stripe's hosted payment page.</summary>
    public required string Url { get; init; }

    /// <summary><c>POST</c> it once after payment to receive the token.</summary>
    public required string ClaimUrl { get; init; }

    public required DateTimeOffset ClaimExpiresAt { get; init; }
}
