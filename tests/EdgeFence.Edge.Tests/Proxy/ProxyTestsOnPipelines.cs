namespace EdgeFence.Edge.Tests.Proxy;

/// <summary>The proxy-mode suite against the pipelines engine behind Kestrel's HTTP layer.</summary>
public sealed class ProxyTestsOnPipelines : ProxyTests
{
    protected override string Upstream => "pipelines";
}
