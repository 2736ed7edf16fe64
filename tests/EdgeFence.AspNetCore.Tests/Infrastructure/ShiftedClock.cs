namespace EdgeFence.AspNetCore.Tests.Infrastructure;

/// <summary>The system clock moved by an offset the test sets: the origin's clock runs ahead of (or behind) the edge's.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
