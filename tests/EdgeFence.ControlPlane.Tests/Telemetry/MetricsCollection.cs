namespace EdgeFence.ControlPlane.Tests.Telemetry;

/// <summary>
/// Metrics are process-wide (one meter name, as in production): tests that read exact values run alone,
/// with no other control plane in the process feeding the same instruments.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "ControlPlaneMetrics";
}
