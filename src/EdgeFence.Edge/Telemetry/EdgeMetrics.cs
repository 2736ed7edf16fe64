using System.Diagnostics;
using System.Diagnostics.Metrics;
using EdgeFence.Edge.Enforcement;

namespace EdgeFence.Edge.Telemetry;

/// <summary>
/// The edge's instruments (System.Diagnostics.Metrics), exported in Prometheus text format on the
/// admin listener's <c>/metrics</c> by the OpenTelemetry exporter, which turns
/// <c>edgefence.decisions</c> into <c>edgefence_decisions_total</c> and so on.
/// </summary>
internal sealed class EdgeMetrics : IDisposable
{
    public const string MeterName = "EdgeFence.Edge";
    public const string RequestDuration = "edgefence.request.duration";

    /// <summary>Bucket bounds in seconds: edge overhead lives in the sub-millisecond buckets, origins in the rest.</summary>
    public static readonly double[] DurationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _originErrors;
    private readonly Counter<long> _decisionLogDropped;
    private readonly Counter<long> _channelEntries;

    public EdgeMetrics(Func<long> snapshotVersion, Func<int>? redisUp, Func<double>? reconcileLag, Func<int>? redisSlotsDown = null)
    {
        _decisions = _meter.CreateCounter<long>("edgefence.decisions", description: "Decisions by site, decision (allow, deny, passthrough) and reason.");
        _duration = _meter.CreateHistogram<double>(RequestDuration, unit: "s", description: "Time spent per request: phase=edge is the edge's own work, phase=origin the origin's answer.");
        _originErrors = _meter.CreateCounter<long>("edgefence.origin.errors", description: "Forwarded requests the origin failed (502/504).");
        _decisionLogDropped = _meter.CreateCounter<long>("edgefence.decision_log.dropped", description: "Decision records dropped because the decision log queue was full.");
        _channelEntries = _meter.CreateCounter<long>("edgefence.channel.entries", description: "Revocation channel entries that changed what the edge enforces (result=applied) or were refused (result=ignored: bad signature, malformed).");
        _meter.CreateObservableGauge("edgefence.snapshot.version", snapshotVersion, description: "Version of the snapshot being served (0 when none).");
        if (redisUp is not null)
        {
            _meter.CreateObservableGauge("edgefence.redis.up", redisUp, description: "1 while every Redis master answers, 0 while some (or all) accounts are decided from local counts.");
        }

        if (redisSlotsDown is not null)
        {
            _meter.CreateObservableGauge("edgefence.redis.slots_down", redisSlotsDown, description: "Hash slots (of 16384) whose Redis master does not answer: their accounts are decided from local counts.");
        }

        if (reconcileLag is not null)
        {
            _meter.CreateObservableGauge("edgefence.reconcile.lag", reconcileLag, unit: "s", description: "Seconds since every counted change was last pushed to Redis (0 when none waits).");
        }
    }

    public void Decision(string site, DecisionOutcome outcome, DenyReason reason)
    {
        var tags = new TagList
        {
            { "site", site },
            { "decision", outcome switch { DecisionOutcome.Allowed => "allow", DecisionOutcome.Denied => "deny", _ => "passthrough" } },
            { "reason", outcome == DecisionOutcome.Passthrough ? "unprotected" : DenyReasons.Get(reason).Code },
        };
        _decisions.Add(1, tags);
    }

    public void EdgeTime(long startTimestamp) => _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("phase", "edge"));

    public void OriginTime(TimeSpan elapsed) => _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("phase", "origin"));

    public void OriginError(string site) => _originErrors.Add(1, new KeyValuePair<string, object?>("site", site));

    public void DecisionLogDropped() => _decisionLogDropped.Add(1);

    public void ChannelEntry(string result) => _channelEntries.Add(1, new KeyValuePair<string, object?>("result", result));

    /// <summary>The configuration's age and staleness (EdgeFence:MaxConfigAgeSeconds), observed when scraped.</summary>
    public void ObserveFreshness(Func<double> ageSeconds, Func<int> stale)
    {
        _meter.CreateObservableGauge("edgefence.config.age", ageSeconds, unit: "s", description: "Seconds since the edge last heard from the control plane, by push, pull or the revocation channel (-1: never).");
        _meter.CreateObservableGauge("edgefence.config.stale", stale, description: "1 while the configuration is older than EdgeFence:MaxConfigAgeSeconds (the stale policy applies), else 0.");
    }

    public void Dispose() => _meter.Dispose();
}
