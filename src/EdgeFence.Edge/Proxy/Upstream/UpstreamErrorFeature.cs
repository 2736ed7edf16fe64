using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// The engine reports failures through YARP's error feature, so the request handler treats both engines'
/// failures in one place.
/// </summary>
internal sealed class UpstreamErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
{
    public ForwarderError Error { get; } = error;

    public Exception? Exception { get; } = exception;
}
