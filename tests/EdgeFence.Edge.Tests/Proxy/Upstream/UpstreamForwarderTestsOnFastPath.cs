namespace EdgeFence.Edge.Tests.Proxy.Upstream;

/// <summary>The raw-origin suite with the fast path reading the client's requests.</summary>
public sealed class UpstreamForwarderTestsOnFastPath : UpstreamForwarderTests
{
    protected override bool FastPath => true;
}
