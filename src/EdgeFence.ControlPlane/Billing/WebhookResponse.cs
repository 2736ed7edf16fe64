namespace EdgeFence.ControlPlane.Billing;

/// <summary>What EdgeFence did with a Stripe event (Stripe shows it in the endpoint's delivery log).</summary>
public sealed class WebhookResponse
{
    public required string EventId { get; init; }
    public required string Type { get; init; }

    /// <summary><c>provisioned</c>, <c>migrated</c>, <c>revoked</c>, <c>updated</c>, <c>payment-recorded</c>, <c>stale</c>, <c>ignored</c>, …</summary>
    public required string Outcome { get; init; }

    /// <summary>True when this event id was processed before: nothing changed now.</summary>
    public required bool Duplicate { get; init; }
}
