namespace EdgeFence.AspNetCore.Authorize;

/// <summary>Why the edge gave no usable decision; the <c>reason</c> tag of <see cref="EdgeFenceMetrics.EdgeFailures"/>.</summary>
internal enum EdgeFailure
{
    /// <summary>Could not connect, or the connection failed mid-call.</summary>
    Unreachable,

    /// <summary>No complete answer within <see cref="EdgeFenceAuthorizeOptions.Timeout"/>.</summary>
    Timeout,

    /// <summary>An HTTP status that is not a decision (wrong origin key, no configuration, 5xx).</summary>
    Status,

    /// <summary>A 200 whose body is not a decision.</summary>
    Malformed,
}
