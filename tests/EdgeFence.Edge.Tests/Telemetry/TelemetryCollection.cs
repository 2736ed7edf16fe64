namespace EdgeFence.Edge.Tests.Telemetry;

/// <summary>
/// Metrics are process-wide (one meter name per process, as in production): tests that read exact
/// counts run alone, with no other edge in the process feeding the same instruments.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
