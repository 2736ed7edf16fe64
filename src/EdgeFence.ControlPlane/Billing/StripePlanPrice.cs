namespace EdgeFence.ControlPlane.Billing;

/// <summary>A plan revision and the Stripe Price that sells it.</summary>
public sealed class StripePlanPrice
{
    public required string PlanId { get; init; }
    public required long PlanRevision { get; init; }
    public required string ProductId { get; init; }
    public required string PriceId { get; init; }

    /// <summary>The revision's metered Price for overage, when it has an overage price.</summary>
    public string? MeteredPriceId { get; init; }

    /// <summary>The Billing Meter <see cref="MeteredPriceId"/> reads.</summary>
    public string? MeterId { get; init; }
}
