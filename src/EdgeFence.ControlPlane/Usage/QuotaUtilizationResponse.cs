namespace EdgeFence.ControlPlane.Usage;

/// <summary>
/// <c>GET /v1/analytics/plans/{id}/utilization</c>: how the plan's tokens with a quota stand in their current
/// billing period, counted from the rollups (units of allowed requests). A token is one entitlement: a customer
/// with one token on the plan is one entry.
/// </summary>
public sealed class QuotaUtilizationResponse
{
    public required string PlanId { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>Tokens of the plan (not revoked) whose revision has a quota.</summary>
    public required int Tokens { get; init; }
    public required int Above50 { get; init; }
    public required int Above80 { get; init; }
    public required int Above100 { get; init; }

    /// <summary>The most used tokens first, at most 100.</summary>
    public required List<TokenUtilization> Top { get; init; }
}
