namespace EdgeFence.Edge.Tests.Proxy;

/// <summary>The path-spelling suite against the pipelines engine.</summary>
public sealed class PathSpellingTestsOnPipelines : PathSpellingTests
{
    protected override string Upstream => "pipelines";
}
