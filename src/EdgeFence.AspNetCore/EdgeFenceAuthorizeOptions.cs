namespace EdgeFence.AspNetCore;

/// <summary>Options of the authorize middleware, set in <see cref="EdgeFenceServiceCollectionExtensions.AddEdgeFenceAuthorize"/>.</summary>
public sealed class EdgeFenceAuthorizeOptions
{
    /// <summary>Default of <see cref="Timeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The edge's public listener, for example <c>http://127.0.0.1:8080</c>. Required.</summary>
    public Uri? EdgeUrl { get; set; }

    /// <summary>The site's origin key: authenticates this origin to the edge and names the site. Required.</summary>
    public string? OriginKey { get; set; }

    /// <summary>
    /// Longest wait for the edge's answer, connecting included. Default 2 seconds: the call is on every
    /// request's path, and a decision normally takes well under a millisecond at the edge.
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>What happens when no decision can be had. Default <see cref="EdgeFenceFailurePolicy.FailClosed"/>.</summary>
    public EdgeFenceFailurePolicy FailurePolicy { get; set; } = EdgeFenceFailurePolicy.FailClosed;
}
