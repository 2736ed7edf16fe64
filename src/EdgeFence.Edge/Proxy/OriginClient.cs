using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy;

/// <summary>The one pooled HTTP client to all origins, configured as a proxy needs it (YARP's recommended settings).</summary>
internal static class OriginClient
{
    public static HttpMessageInvoker Create() => new(new SocketsHttpHandler
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
}
