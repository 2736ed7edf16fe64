using EdgeFence.AspNetCore;

namespace EdgeFence.DemoOrigin;

/// <summary>
/// The second listener: clients call it directly and <c>UseEdgeFenceAuthorize</c> asks the edge about
/// each request. A listener of its own rather than a path prefix: the edge decides on the path the
/// origin received, which must be the resource's path, not a prefixed one.
/// The builder's services need <c>AddEdgeFenceAuthorize</c>.
/// </summary>
public static class MiddlewareModeOrigin
{
    public static void Configure(WebApplication app)
    {
        app.UseWhen(context => !DemoRoutes.IsHealthCheck(context), branch => branch.UseEdgeFenceAuthorize());
        DemoRoutes.Map(app, DemoMode.Middleware);
    }
}
