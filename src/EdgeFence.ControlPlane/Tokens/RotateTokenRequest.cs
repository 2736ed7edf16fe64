namespace EdgeFence.ControlPlane.Tokens;

/// <summary>The (optional) body of <c>POST /v1/tokens/{id}/rotate</c>.</summary>
public sealed class RotateTokenRequest
{
    /// <summary>Seconds the old token keeps working; default 3600, 0 ends it now.</summary>
    public long? GraceSeconds { get; set; }
}
