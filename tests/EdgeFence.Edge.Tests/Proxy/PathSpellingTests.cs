using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Proxy;

/// <summary>A paid resource must be unreachable without a valid token by any spelling of its path.</summary>
public abstract class PathSpellingTests
{
    /// <summary>The forwarding engine under test (<c>EdgeFence:Upstream</c>): every test runs against both.</summary>
    protected abstract string Upstream { get; }

    /// <summary>
    /// Whether the fast path (Proxy/Inbound: the edge's own HTTP/1.1 layer in front of Kestrel's) reads the requests
    /// (<c>EdgeFence:FastPath</c>); with the pipelines engine the suite runs with it and without it.
    /// </summary>
    protected virtual bool FastPath => false;

    private Task<TestEnvironment> StartAsync(params string[] extraArgs) => TestEnvironment.StartAsync([$"--EdgeFence:Upstream={Upstream}", $"--EdgeFence:FastPath={FastPath}", .. extraArgs]);

    [Theory]
    [InlineData("/api%2Fv1/items")]
    [InlineData("/api%2fv1/items")]
    [InlineData("/api/v1%5Citems")]
    [InlineData("/public/../api/v1/items")]
    [InlineData("/public/%2e%2e/api/v1/items")]
    [InlineData("/public/.%2E/api/v1/items")]
    [InlineData("/./api/v1/items")]
    [InlineData("//api/v1/items")]
    [InlineData("/api//v1/items")]
    [InlineData("/api/v1/items%00")]
    [InlineData("/api%252Fv1/items")]
    [InlineData("/public;x=1/../api/v1/items")]
    [InlineData("/api;/v1/items")]
    public async Task Ambiguous_spelling_of_a_path_gets_400_and_never_reaches_the_origin(string target)
    {
        await using var env = await StartAsync();
        var (status, response) = await RawHttp.SendAsync(env.Edge.PublicUrl, $"GET {target} HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nConnection: close\r\n\r\n");

        Assert.Equal(400, status);
        Assert.Empty(env.Origin.Requests);
        if (response.Contains("problem+json", StringComparison.Ordinal))
        {
            Assert.Contains("urn:edgefence:problem:", response, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/API/V1/items")]
    [InlineData("/Api/v1/Items")]
    [InlineData("/%61pi/v1/items")]
    [InlineData("/api/v1")]
    [InlineData("/api/v1/")]
    [InlineData("/V1/CHAT/COMPLETIONS/")]
    public async Task Other_spellings_of_a_paid_path_are_enforced_as_the_paid_path(string target)
    {
        await using var env = await StartAsync();
        var method = target.Contains("CHAT", StringComparison.Ordinal) ? "POST" : "GET";
        var (status, response) = await RawHttp.SendAsync(env.Edge.PublicUrl, $"{method} {target} HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        Assert.Equal(401, status);
        Assert.Contains("missing-token", response, StringComparison.Ordinal);
        Assert.Empty(env.Origin.Requests);
    }

    [Fact]
    public async Task Absolute_form_target_is_enforced_like_origin_form()
    {
        await using var env = await StartAsync();
        var (status, _) = await RawHttp.SendAsync(env.Edge.PublicUrl, $"GET http://{TestSnapshot.SiteHost}/api/v1/items HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nConnection: close\r\n\r\n");

        Assert.Equal(401, status);
        Assert.Empty(env.Origin.Requests);
    }

    [Fact]
    public async Task Content_length_with_transfer_encoding_gets_400()
    {
        await using var env = await StartAsync();
        var head = $"POST /api/v1/items HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nAuthorization: Bearer {TestSnapshot.Unlimited}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        var (status, _) = await RawHttp.SendAsync(env.Edge.PublicUrl, head, "5\r\nhello\r\n0\r\n\r\n"u8.ToArray());

        Assert.Equal(400, status);
        Assert.Empty(env.Origin.Requests);
    }

    [Fact]
    public async Task Oversized_headers_are_refused_and_the_edge_keeps_serving()
    {
        await using var env = await StartAsync();
        var huge = new string('x', 40 * 1024);
        var (status, _) = await RawHttp.SendAsync(env.Edge.PublicUrl, $"GET /api/v1/items HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nX-Big: {huge}\r\nConnection: close\r\n\r\n");

        Assert.Equal(431, status);
        using var after = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Unlimited);
        Assert.Equal(System.Net.HttpStatusCode.OK, after.StatusCode);
    }
}
