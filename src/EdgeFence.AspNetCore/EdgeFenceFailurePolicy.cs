namespace EdgeFence.AspNetCore;

/// <summary>What the authorize middleware does when it cannot get a decision from the edge.</summary>
public enum EdgeFenceFailurePolicy
{
    /// <summary>Refuse the request with 503 <c>urn:edgefence:problem:edge-unavailable</c> and <c>Retry-After: 1</c> (the default: nothing is served unmetered).</summary>
    FailClosed = 0,

    /// <summary>Handle the request without a decision and without rate-limit headers: availability over enforcement.</summary>
    FailOpen = 1,
}
