using System.Runtime.InteropServices;

namespace EdgeFence.Edge.Store;

/// <summary>
/// What one edge has counted for one entitlement (token id): the two fixed windows of the sliding
/// rate limit and the units of the current billing period. One record, so one FASTER
/// read-modify-write both checks and counts a request atomically.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EntitlementCounters
{
    public long RateWindowStartMs;
    public long RateCurrent;
    public long RatePrevious;
    public long PeriodStartMs;

    /// <summary>Units admitted in the period (including overage on soft quotas).</summary>
    public long Used;

    /// <summary>Units admitted beyond a soft quota in the period: what gets billed as overage.</summary>
    public long Overage;
}
