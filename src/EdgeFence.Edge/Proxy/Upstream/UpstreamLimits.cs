namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>The upstream engine's limits. Each one that defends against abuse names the threat.</summary>
internal static class UpstreamLimits
{
    /// <summary>
    /// Largest response status line plus header block (and, separately, chunked trailer block) read from an
    /// origin. Threat: a compromised or broken origin streaming an endless header block to exhaust the edge's
    /// memory. 64 KiB is Kestrel's default request-header budget (32 KiB) doubled: origins add cookies and CSP.
    /// </summary>
    public const int MaxResponseHeadBytes = 64 * 1024;

    /// <summary>
    /// Longest chunk-size line (size plus extensions). Threat: an origin sending an endless chunk extension
    /// so the edge buffers it waiting for the line end.
    /// </summary>
    public const int MaxChunkLineBytes = 4 * 1024;

    /// <summary>
    /// Hex digits in a chunk size. 15 digits stay below 2^60, so the size never overflows a long. Threat: a
    /// wrapped size that frames the body differently from what a downstream parser sees (response splitting).
    /// </summary>
    public const int MaxChunkSizeDigits = 15;

    /// <summary>
    /// 1xx interim responses skipped before the final one. Threat: an origin sending 103s forever, holding a
    /// request (and a pooled connection) with no final answer and no timeout because bytes keep arriving.
    /// </summary>
    public const int MaxInterimResponses = 16;

    /// <summary>
    /// Open connections to one origin. Threat: a flood of slow requests making the edge open unbounded sockets
    /// to the origin (exhausting the edge's file descriptors and the origin's accept queue). Requests beyond it
    /// wait up to <see cref="ConnectTimeout"/> for a connection to come free, then get 502.
    /// </summary>
    public const int MaxConnectionsPerOrigin = 1024;

    /// <summary>Idle connections kept per origin; beyond it a returned connection is closed (memory and fds held by idle sockets).</summary>
    public const int MaxIdlePerOrigin = 256;

    /// <summary>
    /// How long an idle pooled connection is reused. Below the shortest keep-alive timeout of common origin
    /// servers (Node.js and Apache httpd: 5 s; nginx 75 s, Kestrel 130 s) so the edge almost never reuses a
    /// connection the origin is closing at that moment (the reuse race; the prototype saw 502s from it,
    /// ../shared/FAST-PATH-NOTES.md).
    /// </summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(4);

    /// <summary>Longest a TCP connect to an origin may take (the same as the YARP engine's ConnectTimeout).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Read buffer per origin connection. Large enough that a typical response head and a small body arrive in
    /// one read; bodies larger than it stream through it.
    /// </summary>
    public const int ReadBufferBytes = 16 * 1024;

    /// <summary>Request body bytes copied into one chunk (chunked request bodies) or one write.</summary>
    public const int BodyChunkBytes = 16 * 1024;
}
