namespace EdgeFence.AspNetCore;

/// <summary>Names of the metrics the SDK reports through <see cref="System.Diagnostics.Metrics"/>.</summary>
public static class EdgeFenceMetrics
{
    /// <summary>The meter's name, to subscribe to (for example OpenTelemetry's <c>AddMeter</c>).</summary>
    public const string MeterName = "EdgeFence.AspNetCore";

    /// <summary>
    /// Counter: requests for which the authorize middleware got no usable decision from the edge
    /// (unreachable, timeout, unexpected status, malformed answer). Tags: <c>policy</c>
    /// (<c>fail-closed</c> or <c>fail-open</c>) and <c>reason</c> (<c>unreachable</c>, <c>timeout</c>,
    /// <c>status</c>, <c>malformed</c>).
    /// </summary>
    public const string EdgeFailures = "edgefence_sdk_edge_failures_total";
}
