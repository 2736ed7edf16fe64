using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>
/// The fast path's client deadlines, taken from Kestrel's limits (InboundTimeouts) and set low here through
/// configuration (<c>Kestrel:Limits:*</c>): a head trickled in (slowloris) is cut after RequestHeadersTimeout, an idle connection after
/// KeepAliveTimeout, a stalled body after the minimum request body rate's grace. Each test asserts the close within a
/// bounded wait, never a figure; the same tests run on Kestrel's HTTP layer (FastPath=false) for comparison.
/// </summary>
public sealed class FastPathTimeoutTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan s_short = TimeSpan.FromSeconds(2);

    private static Task<TestEnvironment> StartAsync(bool fastPath, TimeSpan? keepAlive = null, TimeSpan? requestHeaders = null)
    {
        List<string> args = ["--EdgeFence:Upstream=pipelines", $"--EdgeFence:FastPath={fastPath}"];
        if (keepAlive is { } k)
        {
            args.Add($"--Kestrel:Limits:KeepAliveTimeout={k:c}");
        }

        if (requestHeaders is { } h)
        {
            args.Add($"--Kestrel:Limits:RequestHeadersTimeout={h:c}");
        }

        return TestEnvironment.StartAsync([.. args]);
    }

    /// <summary>
    /// An operator sets Kestrel's limits like any Kestrel setting: the limit reaches the listener, the idle connection closes.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Kestrel_limits_in_configuration_reach_the_listener(bool fastPath)
    {
        await using var env = await TestEnvironment.StartAsync("--EdgeFence:Upstream=pipelines", $"--EdgeFence:FastPath={fastPath}", "--Kestrel:Limits:KeepAliveTimeout=00:00:02");
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Get("/public/first"));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        Assert.True(await client.ClosedWithinAsync(s_bound), "Kestrel:Limits:KeepAliveTimeout=00:00:02 was not applied: the idle connection stayed open");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Head_trickled_in_a_line_at_a_time_is_cut_after_the_request_headers_timeout(bool fastPath)
    {
        await using var env = await StartAsync(fastPath, requestHeaders: s_short);
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync($"GET /public/slow HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\n");

        // A header line every half second: each read brings bytes, so only a deadline on the whole head ends it.
        var closed = await client.TrickleUntilClosedAsync(i => $"X-Drip-{i}: a\r\n", TimeSpan.FromMilliseconds(500), s_bound);

        Assert.True(closed, "a trickled head kept the connection open");
        Assert.Empty(env.Origin.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Half_a_head_after_a_served_request_is_cut_after_the_request_headers_timeout(bool fastPath)
    {
        await using var env = await StartAsync(fastPath, requestHeaders: s_short);
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Get("/public/first"));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        await client.SendAsync($"GET /public/second HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nX-Half");

        Assert.True(await client.ClosedWithinAsync(s_bound), "half a head kept the connection open");
        Assert.Single(env.Origin.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Idle_connection_after_a_response_is_closed_after_the_keep_alive_timeout(bool fastPath)
    {
        await using var env = await StartAsync(fastPath, keepAlive: s_short);
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Get("/api/v1/items", TestSnapshot.Basic));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        Assert.True(await client.ClosedWithinAsync(s_bound), "an idle connection outlived the keep-alive timeout");
        Assert.Equal(0, client.PendingCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Connection_that_never_sends_a_byte_is_closed_after_the_keep_alive_timeout(bool fastPath)
    {
        await using var env = await StartAsync(fastPath, keepAlive: s_short);
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);

        Assert.True(await client.ClosedWithinAsync(s_bound), "a silent connection outlived the keep-alive timeout");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Idle_time_between_requests_is_held_to_the_keep_alive_timeout_not_the_request_headers_one(bool fastPath)
    {
        await using var env = await StartAsync(fastPath, keepAlive: TimeSpan.FromMinutes(2), requestHeaders: TimeSpan.FromSeconds(1));
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync(WireRequest.Get("/public/first"));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        // Three heartbeats past the request-headers timeout, well inside the keep-alive one.
        Assert.False(await client.ClosedWithinAsync(TimeSpan.FromSeconds(3)), "an idle connection was cut before its keep-alive timeout");
        await client.SendAsync(WireRequest.Get("/public/second"));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_body_that_stalls_is_cut_after_the_minimum_data_rate_grace(bool fastPath)
    {
        // Kestrel's default MinRequestBodyDataRate: 240 B/s after a 5 s grace.
        await using var env = await StartAsync(fastPath);
        await using var client = await WireClient.ConnectAsync(env.Edge.PublicUrl);
        await client.SendAsync($"POST /public/upload HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nContent-Length: 100000\r\n\r\n0123456789");

        Assert.True(await client.ClosedWithinAsync(s_bound), "a stalled body kept the connection open");
        Assert.Empty(env.Origin.Requests);
    }
}
