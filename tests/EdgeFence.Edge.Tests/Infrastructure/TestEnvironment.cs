namespace EdgeFence.Edge.Tests.Infrastructure;

/// <summary>A test origin and an edge in front of it serving <see cref="TestSnapshot"/>.</summary>
public sealed class TestEnvironment : IAsyncDisposable
{
    private TestEnvironment(TestOrigin origin, EdgeHost edge)
    {
        Origin = origin;
        Edge = edge;
    }

    public TestOrigin Origin { get; }
    public EdgeHost Edge { get; }

    public static async Task<TestEnvironment> StartAsync(params string[] extraArgs)
    {
        var origin = await TestOrigin.StartAsync();
        var edge = await EdgeHost.StartAsync(TestSnapshot.Create(origin.Url), extraArgs);
        return new TestEnvironment(origin, edge);
    }

    public async ValueTask DisposeAsync()
    {
        await Edge.DisposeAsync();
        await Origin.DisposeAsync();
    }
}
