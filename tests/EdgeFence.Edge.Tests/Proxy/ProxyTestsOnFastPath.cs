namespace EdgeFence.Edge.Tests.Proxy;

/// <summary>The proxy-mode suite against the fast path: the edge's own HTTP/1.1 layer and the pipelines engine.</summary>
public sealed class ProxyTestsOnFastPath : ProxyTests
{
    protected override string Upstream => "pipelines";

    protected override bool FastPath => true;
}
