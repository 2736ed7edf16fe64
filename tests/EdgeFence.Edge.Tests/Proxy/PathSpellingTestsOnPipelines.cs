namespace EdgeFence.Edge.Tests.Proxy;

/// <summary>The path-spelling suite against the pipelines engine behind Kestrel's HTTP layer.</summary>
public sealed class PathSpellingTestsOnPipelines : PathSpellingTests
{
    protected override string Upstream => "pipelines";
}
