namespace EdgeFence.AspNetCore;

/// <summary>The headers the edge adds to every request it forwards to the origin.</summary>
public static class EdgeFenceHeaders
{
    /// <summary><c>t=&lt;unix seconds&gt;,v2=&lt;lowercase hex HMAC-SHA256&gt;</c> over the canonical string.</summary>
    public const string Signature = "X-EdgeFence-Signature";

    /// <summary>The edge's id for this request; also the replay-cache key.</summary>
    public const string RequestId = "X-EdgeFence-Request-Id";

    /// <summary>The customer the token belongs to (only on requests the edge enforced).</summary>
    public const string Customer = "X-EdgeFence-Customer";

    /// <summary>The token's plan id (only on requests the edge enforced).</summary>
    public const string Plan = "X-EdgeFence-Plan";

    /// <summary>The token's id, never the token itself (only on requests the edge enforced).</summary>
    public const string TokenId = "X-EdgeFence-Token-Id";

    /// <summary><c>&lt;micros&gt; &lt;currency&gt;</c>: what the edge charged for the call (signed; absent when nothing was).</summary>
    public const string Charged = "X-EdgeFence-Charged";
}
