namespace EdgeFence.ControlPlane.Tokens;

/// <summary>The body of <c>POST /v1/sites/{id}/tokens</c>.</summary>
public sealed class CreateTokenRequest
{
    public string? PlanId { get; set; }

    /// <summary>Who the token is for; sent to the origin in <c>X-EdgeFence-Customer</c>.</summary>
    public string? Customer { get; set; }

    /// <summary>When the token stops working; left out, never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
