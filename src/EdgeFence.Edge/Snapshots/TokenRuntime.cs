using EdgeFence.Core.Model;
using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Snapshots;

/// <summary>A token compiled for the request path: its site, plan and counter key resolved.</summary>
internal sealed class TokenRuntime
{
    public TokenRuntime(TokenRecord record, SiteRuntime site, PlanRuntime plan, Key128 counterKey)
    {
        Record = record;
        Site = site;
        Plan = plan;
        CounterKey = counterKey;
    }

    public TokenRecord Record { get; }
    public SiteRuntime Site { get; }
    public PlanRuntime Plan { get; }

    /// <summary>Key of the entitlement's counters: from site and token id, so rotation keeps usage.</summary>
    public Key128 CounterKey { get; }
}
