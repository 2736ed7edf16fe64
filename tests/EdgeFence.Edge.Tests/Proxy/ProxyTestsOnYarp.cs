namespace EdgeFence.Edge.Tests.Proxy;

/// <summary>The proxy-mode suite against the yarp engine.</summary>
public sealed class ProxyTestsOnYarp : ProxyTests
{
    protected override string Upstream => "yarp";
}
