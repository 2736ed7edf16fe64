using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>How a fast-path exchange ended (<see cref="RawForwarder"/>), in the same terms as the Kestrel path's engines.</summary>
internal readonly record struct RawExchangeResult(ForwarderError Error, int Status, bool ResponseStarted, bool ClientReusable, Exception? Exception)
{
    public static RawExchangeResult Failed(ForwarderError error, int status, Exception? exception) => new(error, status, false, false, exception);
}
