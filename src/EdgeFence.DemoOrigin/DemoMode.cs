namespace EdgeFence.DemoOrigin;

/// <summary>How requests reach the listener: through the edge (signed) or straight from clients.</summary>
public enum DemoMode
{
    /// <summary>Forwarded by the edge; verified with <c>UseEdgeFenceSignature</c>.</summary>
    Proxy,

    /// <summary>Straight from the client; authorized with <c>UseEdgeFenceAuthorize</c>.</summary>
    Middleware,
}
