namespace EdgeFence.ControlPlane.Plans;

/// <summary>The body of <c>POST /v1/plans/{id}/migrate</c>.</summary>
public sealed class MigratePlanRequest
{
    /// <summary>The plan whose current terms the tokens move to; the same plan moves them to its latest revision.</summary>
    public string? ToPlanId { get; set; }
}
