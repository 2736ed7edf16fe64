namespace EdgeFence.ControlPlane.Usage;

/// <summary>The decisions of one step of a series, starting at <see cref="T"/>.</summary>
public sealed class UsagePoint
{
    public required DateTimeOffset T { get; init; }
    public long Requests { get; set; }
    public long Allowed { get; set; }
    public long Denied { get; set; }
    public long Passthrough { get; set; }

    /// <summary>Units of the allowed requests.</summary>
    public long Units { get; set; }

    /// <summary>Money charged per call (pay-per-call prices, prepaid balances), in micro-units, per currency.</summary>
    public Dictionary<string, long> ChargedMicros { get; init; } = new(StringComparer.Ordinal);
}
