namespace EdgeFence.ControlPlane.Plans;

/// <summary>The answer to <c>POST /v1/plans/{id}/migrate</c>.</summary>
public sealed class MigratePlanResponse
{
    public required string FromPlanId { get; init; }
    public required string ToPlanId { get; init; }
    public required long ToRevision { get; init; }

    /// <summary>Tokens moved (revoked ones stay where they are).</summary>
    public required int Migrated { get; init; }
}
