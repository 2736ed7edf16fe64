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
    private readonly Counter<long> _walletPushFailures;
    private readonly Counter<long> _deposits;

    public ControlPlaneMetrics()
    {
        _changes = _meter.CreateCounter<long>("edgefence.controlplane.changes", description: "Committed changes that issued a new snapshot version, by kind (site, plan, resource, token, snapshot).");
        _pushFailures = _meter.CreateCounter<long>("edgefence.controlplane.edge_push_failures", description: "Snapshot pushes an edge did not take (unreachable, timed out, refused), by edge.");
        _walletPushFailures = _meter.CreateCounter<long>("edgefence.controlplane.wallet_push_failures", description: "Wallet book pushes an edge did not take (unreachable, timed out, refused), by edge.");
        _deposits = _meter.CreateCounter<long>("edgefence.controlplane.deposits", description: "Deposits credited (replays not counted), by currency.");
    }

    /// <summary>The gauges, once the pusher that knows their values exists.</summary>
    public void Observe(Func<long> snapshotVersion, Func<int> edgesBehind)
    {
        _meter.CreateObservableGauge("edgefence.controlplane.snapshot_version", snapshotVersion, description: "Latest signed snapshot version (0 before the first).");
        _meter.CreateObservableGauge("edgefence.controlplane.edges_behind", edgesBehind, description: "Configured edges that have not acknowledged the latest version since this control plane started.");
    }

    public void Changed(string kind) => _changes.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void PushFailed(string edge) => _pushFailures.Add(1, new KeyValuePair<string, object?>("edge", edge));

    public void WalletPushFailed(string edge) => _walletPushFailures.Add(1, new KeyValuePair<string, object?>("edge", edge));

    public void Deposited(string currency) => _deposits.Add(1, new KeyValuePair<string, object?>("currency", currency));

    public void Dispose() => _meter.Dispose();
}
