using System.Diagnostics.Metrics;

namespace EdgeFence.ControlPlane.Telemetry;

/// <summary>
/// The control plane's instruments (System.Diagnostics.Metrics), exported in Prometheus text format on
/// <c>/metrics</c> by the OpenTelemetry exporter, which turns <c>edgefence.controlplane.changes</c> into
/// <c>edgefence_controlplane_changes_total</c> and so on. Only what the process knows for certain: committed
/// changes, the latest signed version, failed pushes and edges that have not acknowledged the latest version.
/// </summary>
internal sealed class ControlPlaneMetrics : IDisposable
{
    public const string MeterName = "EdgeFence.ControlPlane";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _changes;
    private readonly Counter<long> _pushFailures;

    public ControlPlaneMetrics()
    {
        _changes = _meter.CreateCounter<long>("edgefence.controlplane.changes", description: "Committed changes that issued a new snapshot version, by kind (site, plan, resource, token, snapshot).");
        _pushFailures = _meter.CreateCounter<long>("edgefence.controlplane.edge_push_failures", description: "Snapshot pushes an edge did not take (unreachable, timed out, refused), by edge.");
    }

    /// <summary>The gauges, once the pusher that knows their values exists.</summary>
    public void Observe(Func<long> snapshotVersion, Func<int> edgesBehind)
    {
        _meter.CreateObservableGauge("edgefence.controlplane.snapshot_version", snapshotVersion, description: "Latest signed snapshot version (0 before the first).");
        _meter.CreateObservableGauge("edgefence.controlplane.edges_behind", edgesBehind, description: "Configured edges that have not acknowledged the latest version since this control plane started.");
    }

    public void Changed(string kind) => _changes.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void PushFailed(string edge) => _pushFailures.Add(1, new KeyValuePair<string, object?>("edge", edge));

    public void Dispose() => _meter.Dispose();
}
