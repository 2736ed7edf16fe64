using System.Diagnostics.Metrics;

namespace EdgeFence.AspNetCore.Authorize;

/// <summary>
/// <see cref="EdgeFenceMetrics.EdgeFailures"/>. The meter comes from the container's
/// <see cref="IMeterFactory"/>, so each application (and each test host) has its own instance.
/// </summary>
internal sealed class EdgeFailureCounter
{
    private readonly Counter<long> _failures;

    public EdgeFailureCounter(IMeterFactory meters)
    {
        var meter = meters.Create(EdgeFenceMetrics.MeterName);
        _failures = meter.CreateCounter<long>(
            EdgeFenceMetrics.EdgeFailures,
            unit: "{request}",
            description: "Requests for which the authorize middleware got no decision from the edge and applied its failure policy.");
    }

    public void Add(EdgeFenceFailurePolicy policy, EdgeFailure failure)
        => _failures.Add(1, new KeyValuePair<string, object?>("policy", PolicyTag(policy)), new KeyValuePair<string, object?>("reason", ReasonTag(failure)));

    public static string PolicyTag(EdgeFenceFailurePolicy policy) => policy == EdgeFenceFailurePolicy.FailOpen ? "fail-open" : "fail-closed";

    public static string ReasonTag(EdgeFailure failure) => failure switch
    {
        EdgeFailure.Unreachable => "unreachable",
        EdgeFailure.Timeout => "timeout",
        EdgeFailure.Status => "status",
        _ => "malformed",
    };
}
