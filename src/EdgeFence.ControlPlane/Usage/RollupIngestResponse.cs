namespace EdgeFence.ControlPlane.Usage;

/// <summary>The answer to a rollup batch: <c>applied</c> the first time, <c>duplicate</c> for a batch already applied (nothing added).</summary>
public sealed class RollupIngestResponse
{
    public required string Status { get; init; }
    public required int Rows { get; init; }
}
