using System.Reflection;
using EdgeFence.Edge.Hosting;
using EdgeFence.Edge.Proxy.Inbound;
using EdgeFence.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>
/// Sets Kestrel's KeepAliveTimeout and RequestHeadersTimeout on a running edge's public listener, for the connections
/// accepted from then on, on both HTTP layers: Kestrel's (which reads its limits per connection) and the fast path's
/// (whose <see cref="InboundTimeouts"/> is rebuilt from the same limits). A workaround, by reflection: the edge does
/// not read <c>Kestrel:Limits</c> from its configuration (<see cref="FastPathTimeoutTests.Kestrel_limits_in_configuration_reach_the_listener"/>),
/// and the tests cannot wait Kestrel's defaults (130 s, 30 s) out.
/// </summary>
public static class RunningEdgeLimits
{
    public static void Apply(EdgeHost edge, TimeSpan? keepAlive = null, TimeSpan? requestHeaders = null)
    {
        var server = (EdgeServer)Field(typeof(EdgeHost), "_server").GetValue(edge)!;
        var app = (WebApplication)Field(typeof(EdgeServer), "_public").GetValue(server)!;
        var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        limits.KeepAliveTimeout = keepAlive ?? limits.KeepAliveTimeout;
        limits.RequestHeadersTimeout = requestHeaders ?? limits.RequestHeadersTimeout;

        // Only an edge with the fast path has the middleware.
        if (app.Services.GetService<FastPathMiddleware>() is { } fast)
        {
            Field(typeof(FastPathMiddleware), "_timeouts").SetValue(fast, new InboundTimeouts(limits));
        }
    }

    private static FieldInfo Field(Type type, string name)
        => type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic) ?? throw new InvalidOperationException($"{type.Name}.{name} is gone: update this workaround");
}
