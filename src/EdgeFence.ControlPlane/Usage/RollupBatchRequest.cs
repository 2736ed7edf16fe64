namespace EdgeFence.ControlPlane.Usage;

/// <summary>
/// <c>POST /v1/analytics/rollups</c>: one batch of an edge's per-minute rollups (<c>EdgeFence.Edge.Analytics.RollupSpool</c>
/// writes it). <see cref="Edge"/> + <see cref="Batch"/> is the idempotency key: the same batch sent twice is applied once.
/// </summary>
public sealed class RollupBatchRequest
{
    /// <summary>The edge's node id (<c>EdgeFence:NodeId</c>).</summary>
    public string? Edge { get; init; }

    /// <summary>The edge's id for this batch, unique per edge (<c>&lt;edge start unix ms&gt;-&lt;sequence&gt;</c>).</summary>
    public string? Batch { get; init; }

    public List<RollupRowRequest>? Rows { get; init; }
}
