namespace EdgeFence.ControlPlane.Edges;

/// <summary>The body of <c>GET /v1/edges</c>.</summary>
public sealed class EdgesResponse
{
    public required long LatestVersion { get; init; }
    public required IReadOnlyList<EdgeStatus> Edges { get; init; }
}
