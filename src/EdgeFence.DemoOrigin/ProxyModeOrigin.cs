using EdgeFence.AspNetCore;

namespace EdgeFence.DemoOrigin;

/// <summary>The main listener: only requests the edge signed get past <c>UseEdgeFenceSignature</c>.</summary>
public static class ProxyModeOrigin
{
    public static void Configure(WebApplication app, EdgeFenceSignatureOptions signature)
    {
        app.UseWhen(context => !DemoRoutes.IsHealthCheck(context), branch => branch.UseEdgeFenceSignature(signature));
        DemoRoutes.Map(app, DemoMode.Proxy);
    }
}
