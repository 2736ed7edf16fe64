using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>
/// Graceful shutdown on the fast path (Kestrel keeps the sockets and asks each connection to close): an idle
/// connection closes at once, a request in flight gets its whole answer, marked as the connection's last.
/// </summary>
public sealed class FastPathShutdownTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Idle_keep_alive_connection_is_closed_when_the_edge_stops(bool fastPath)
    {
        await using var env = await TestEnvironment.StartAsync("--EdgeFence:Upstream=pipelines", $"--EdgeFence:FastPath={fastPath}");
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Get("/public/first"));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        var stopping = env.Edge.StopAsync();

        // Well inside the host's 15 s shutdown timeout, after which Kestrel would cut it anyway.
        Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(5)), "the idle connection held the shutdown");
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_in_flight_when_the_edge_stops_gets_its_whole_answer_as_the_last_on_the_connection(bool fastPath)
    {
        await using var env = await TestEnvironment.StartAsync("--EdgeFence:Upstream=pipelines", $"--EdgeFence:FastPath={fastPath}");
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);

        // The origin holds /slow for 5 s.
        await client.SendAsync(WireRequest.Get("/slow", TestSnapshot.Unlimited));
        await Task.Delay(500);
        var stopping = env.Edge.StopAsync();

        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("origin saw GET /slow?api_key=origin-private", response.BodyText);
        Assert.True(response.Closes, response.Head);
        Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(15)));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
