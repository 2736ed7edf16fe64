namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>Whether the fast path serves a request (<see cref="FastPlan"/>).</summary>
internal enum PlanVerdict : byte
{
    /// <summary>Not the fast path's: Kestrel's stack gets the request, with nothing consumed, and the connection.</summary>
    HandOff = 0,

    /// <summary>The decision waits on the shared ledger: wait (bounded), then decide again.</summary>
    Pending = 1,

    /// <summary>Decided: refuse or forward.</summary>
    Ready = 2,

    /// <summary>Middleware mode (<c>POST /v1/authorize</c>): <see cref="FastAuthorizeHandler"/> answers it.</summary>
    Authorize = 3,
}
