namespace EdgeFence.Edge.Analytics;

/// <summary>What one <see cref="RollupKey"/> adds up to: requests, units admitted, money charged (micro-units of the key's currency).</summary>
internal struct RollupCounts
{
    public long Requests;
    public long Units;
    public long ChargedMicros;
}
