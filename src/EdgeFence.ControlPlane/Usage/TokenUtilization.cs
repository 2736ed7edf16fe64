namespace EdgeFence.ControlPlane.Usage;

/// <summary>How much of its quota one token (one entitlement) used in its current billing period.</summary>
public sealed class TokenUtilization
{
    public required string TokenId { get; init; }
    public required string Customer { get; init; }
    public required long Used { get; init; }
    public required long Quota { get; init; }

    /// <summary><see cref="Used"/> / <see cref="Quota"/> (1.0 = the whole quota).</summary>
    public required double Utilization { get; init; }
    public required DateTimeOffset PeriodStart { get; init; }
}
