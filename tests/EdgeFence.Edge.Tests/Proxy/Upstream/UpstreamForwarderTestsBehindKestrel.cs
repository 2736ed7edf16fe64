namespace EdgeFence.Edge.Tests.Proxy.Upstream;

/// <summary>The raw-origin suite with Kestrel's HTTP layer reading the client's requests.</summary>
public sealed class UpstreamForwarderTestsBehindKestrel : UpstreamForwarderTests
{
    protected override bool FastPath => false;
}
