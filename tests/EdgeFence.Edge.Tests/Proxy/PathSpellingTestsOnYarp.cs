namespace EdgeFence.Edge.Tests.Proxy;

/// <summary>The path-spelling suite against the yarp engine.</summary>
public sealed class PathSpellingTestsOnYarp : PathSpellingTests
{
    protected override string Upstream => "yarp";
}
