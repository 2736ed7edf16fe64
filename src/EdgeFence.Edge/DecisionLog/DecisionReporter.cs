using EdgeFence.Edge.Analytics;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Telemetry;

namespace EdgeFence.Edge.DecisionLog;

/// <summary>
/// Reports every answer the edge gives, in proxy and middleware mode alike, to both the metrics and
/// the decision log, so the two always agree, and to the per-minute rollups when analytics is on. Allocates
/// nothing per request.
/// </summary>
internal sealed class DecisionReporter
{
    private readonly EdgeMetrics _metrics;
    private readonly DecisionLogWriter _log;
    private readonly TimeProvider _time;
    private readonly RollupAggregator? _rollups;

    public DecisionReporter(EdgeMetrics metrics, DecisionLogWriter log, TimeProvider time, RollupAggregator? rollups = null)
    {
        _metrics = metrics;
        _log = log;
        _time = time;
        _rollups = rollups;
    }

    public EdgeMetrics Metrics => _metrics;

    /// <summary>A request refused before any site or decision (bad path, unknown site, no snapshot, bad authorize call).</summary>
    public void Refused(string requestId, string method, DenyReason reason, long snapshotVersion)
    {
        var info = DenyReasons.Get(reason);
        _metrics.Decision("-", DecisionOutcome.Denied, reason);
        Write(new DecisionRecord(_time.GetUtcNow().ToUnixTimeMilliseconds(), requestId, "-", null, null, null, null, method, info.Status,
            "deny", info.Code, 0, -1, snapshotVersion, 0, 0));
    }

    /// <summary>A decision that is the whole answer: a denial in proxy mode, or any authorize answer.</summary>
    public void Decided(string requestId, SiteRuntime site, string method, in Decision decision, long snapshotVersion)
        => Record(requestId, site, method, decision, snapshotVersion, decision.IsDenied ? DenyReasons.Get(decision.Reason).Status : 200, 0, 0);

    /// <summary>An allowed or passthrough request after the origin answered (or failed: 502/504).</summary>
    public void Forwarded(string requestId, SiteRuntime site, string method, in Decision decision, long snapshotVersion, int status, TimeSpan originTime)
    {
        _metrics.OriginTime(originTime);
        Record(requestId, site, method, decision, snapshotVersion, status, status, originTime.TotalMilliseconds);
    }

    private void Record(string requestId, SiteRuntime site, string method, in Decision d, long snapshotVersion, int status, int originStatus, double originMs)
    {
        _metrics.Decision(site.Id, d.Outcome, d.Reason);
        var plan = d.Plan;
        var remaining = !d.Counted || plan is null ? -1 : plan.HasQuota ? d.QuotaRemaining : plan.RateLimit > 0 ? d.RateRemaining : -1;
        var reason = d.Outcome switch
        {
            DecisionOutcome.Passthrough => "unprotected",
            DecisionOutcome.Allowed => "allowed",
            _ => DenyReasons.Get(d.Reason).Code,
        };
        var decision = d.Outcome switch
        {
            DecisionOutcome.Passthrough => "passthrough",
            DecisionOutcome.Allowed => "allow",
            _ => "deny",
        };
        Write(new DecisionRecord(
            _time.GetUtcNow().ToUnixTimeMilliseconds(), requestId, site.Id, d.Token?.Id, d.Customer, plan?.Plan.Id,
            d.Resource?.Resource.Pattern, method, status, decision, reason, d.Outcome == DecisionOutcome.Allowed ? d.Resource!.Cost : 0,
            remaining, snapshotVersion, originStatus, originMs, d.ChargedMicros, d.ChargedCurrency, d.PaymentTransaction));
    }

    private void Write(in DecisionRecord record)
    {
        // Rollups first and apart from the log: a full log queue drops a line, never a count.
        _rollups?.Add(record);
        _log.TryWrite(record);
    }
}
