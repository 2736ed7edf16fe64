namespace EdgeFence.ControlPlane.Plans;

/// <summary>A rate limit: <see cref="Requests"/> per sliding window of <see cref="WindowSeconds"/> (default 60).</summary>
public sealed class RateLimitBody
{
    public int? Requests { get; set; }
    public int? WindowSeconds { get; set; }
}
