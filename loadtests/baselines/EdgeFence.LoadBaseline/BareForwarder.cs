using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.LoadBaseline;

/// <summary>
/// What a user would deploy instead of the edge: YARP's <see cref="IHttpForwarder"/> sending every
/// request to one origin with the default transforms, nothing else. The client and the request config
/// are the edge's own (src/EdgeFence.Edge/Proxy/OriginClient.cs, EdgeServer.cs), so the difference
/// measured is the edge's work per request.
/// </summary>
internal static class BareForwarder
{
    public static void AddServices(IServiceCollection services) => services.AddHttpForwarder();

    public static void Map(WebApplication app, string origin)
    {
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();

        // Exactly OriginClient.Create() in the edge.
        var client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        });

        // The edge's default EdgeFence:OriginTimeoutSeconds.
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100) };
        app.Run(async context =>
        {
            // On an error YARP has already answered 502/504 (when it could); the ForwarderError is only for logging.
            _ = await forwarder.SendAsync(context, origin, client, config, HttpTransformer.Default).ConfigureAwait(false);
        });
    }
}
