using Microsoft.AspNetCore.Http;

namespace EdgeFence.AspNetCore;

/// <summary>Reads what the EdgeFence middlewares learned about a request.</summary>
public static class EdgeFenceHttpContextExtensions
{
    /// <summary>
    /// The caller's identity as the edge vouched for it, or null when no EdgeFence middleware accepted
    /// this request (for example a path the middleware is not applied to, or mode fail-open while the
    /// edge was unreachable).
    /// </summary>
    public static IEdgeFenceIdentityFeature? GetEdgeFenceIdentity(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IEdgeFenceIdentityFeature>();
    }
}
