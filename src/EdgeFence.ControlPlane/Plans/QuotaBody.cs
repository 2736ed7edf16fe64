namespace EdgeFence.ControlPlane.Plans;

/// <summary>A quota: <see cref="Units"/> per calendar <see cref="Period"/> in UTC; <see cref="Mode"/> <c>hard</c> blocks, <c>soft</c> counts overage.</summary>
public sealed class QuotaBody
{
    public long? Units { get; set; }

    /// <summary><c>hour</c>, <c>day</c>, <c>week</c>, <c>month</c> (default) or <c>year</c>.</summary>
    public string? Period { get; set; }

    /// <summary><c>hard</c> (default) or <c>soft</c>.</summary>
    public string? Mode { get; set; }
}
