using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Proxy.Upstream;
using EdgeFence.Edge.Snapshots;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>What <see cref="FastRequestHandler"/> made of a request head: hand it off, wait on the ledger, or serve it with this decision.</summary>
internal readonly struct FastPlan
{
    /// <summary>A request for Kestrel's stack.</summary>
    public static FastPlan Refer(string reason) => new(reason);

    /// <summary>A call to <c>POST /v1/authorize</c>, answered against this config.</summary>
    public static FastPlan Authorize(EdgeState state) => new(PlanVerdict.Authorize, state, null!, null!, HttpMethods.Post, null, default);

    public FastPlan(PlanVerdict verdict, EdgeState state, SiteRuntime site, OriginPool pool, string method, string? target, in Decision decision)
    {
        Verdict = verdict;
        State = state;
        Site = site;
        Pool = pool;
        Method = method;
        Target = target;
        Decision = decision;
    }

    private FastPlan(string reason)
    {
        Reason = reason;
        State = null!;
        Site = null!;
        Pool = null!;
        Method = null!;
    }

    public PlanVerdict Verdict { get; }

    /// <summary>Why the request is handed off (a constant, safe to log).</summary>
    public string? Reason { get; }

    public EdgeState State { get; }

    public SiteRuntime Site { get; }

    public OriginPool Pool { get; }

    /// <summary>The method, as the framework's interned string.</summary>
    public string Method { get; }

    /// <summary>The target the origin gets (path base, forwarded path, query); null until the decision admits the request.</summary>
    public string? Target { get; }

    public Decision Decision { get; }
}
