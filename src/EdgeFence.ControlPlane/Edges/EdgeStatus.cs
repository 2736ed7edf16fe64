namespace EdgeFence.ControlPlane.Edges;

/// <summary>One edge as <c>GET /v1/edges</c> shows it.</summary>
public sealed class EdgeStatus
{
    public required string Url { get; init; }

    /// <summary>The snapshot version the edge last acknowledged; null until it has acknowledged one since this control plane started.</summary>
    public long? AppliedVersion { get; init; }

    /// <summary><c>applied</c>, <c>up-to-date</c>, or why the last attempt failed; null before the first attempt.</summary>
    public string? LastResult { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }
    public DateTimeOffset? LastSuccessAt { get; init; }
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the next retry is due, while the edge is failing.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}
