namespace EdgeFence.ControlPlane.Usage;

/// <summary>One customer's decisions in a range (<c>GET /v1/analytics/top-customers</c>).</summary>
public sealed class CustomerTotals
{
    public required string Customer { get; init; }
    public long Requests { get; set; }
    public long Allowed { get; set; }
    public long Denied { get; set; }
    public long Units { get; set; }
    public Dictionary<string, long> ChargedMicros { get; init; } = new(StringComparer.Ordinal);
}
