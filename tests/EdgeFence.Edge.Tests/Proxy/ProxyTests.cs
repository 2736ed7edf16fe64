using System.Net;
using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Proxy;

public abstract class ProxyTests
{
    /// <summary>The forwarding engine under test (<c>EdgeFence:Upstream</c>): every test runs against both.</summary>
    protected abstract string Upstream { get; }

    /// <summary>
    /// Whether the fast path (Proxy/Inbound: the edge's own HTTP/1.1 layer in front of Kestrel's) reads the requests
    /// (<c>EdgeFence:FastPath</c>); with the pipelines engine the suite runs with it and without it.
    /// </summary>
    protected virtual bool FastPath => false;

    private Task<TestEnvironment> StartAsync(params string[] extraArgs) => TestEnvironment.StartAsync([$"--EdgeFence:Upstream={Upstream}", $"--EdgeFence:FastPath={FastPath}", .. extraArgs]);

    [Fact]
    public async Task Allowed_request_reaches_the_origin_signed_with_identity_headers()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.GetAsync("/api/v1/items?x=1", TestSnapshot.Basic);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("test", response.Headers.GetValues("X-Origin").Single());
        var seen = env.Origin.Last;
        Assert.Equal("acme", seen.Header(RequestSigner.CustomerHeader));
        Assert.Equal("plan-basic", seen.Header(RequestSigner.PlanHeader));
        Assert.Equal("t-basic", seen.Header(RequestSigner.TokenIdHeader));
        var requestId = seen.Header(RequestSigner.RequestIdHeader)!;
        Assert.Equal(32, requestId.Length);
        Assert.Equal(requestId, response.Headers.GetValues(RequestSigner.RequestIdHeader).Single());
        Assert.True(RequestSigner.Verify(TestSnapshot.HmacSecret, seen.Header(RequestSigner.SignatureHeader), DateTimeOffset.UtcNow, RequestSigner.DefaultTolerance, "GET", seen.RawTarget, "t-basic", "acme", "plan-basic", requestId));
        Assert.False(RequestSigner.Verify(TestSnapshot.HmacSecret, seen.Header(RequestSigner.SignatureHeader), DateTimeOffset.UtcNow, RequestSigner.DefaultTolerance, "GET", seen.RawTarget.Replace("items", "other", StringComparison.Ordinal), "t-basic", "acme", "plan-basic", requestId));
    }

    [Fact]
    public async Task Client_credentials_and_spoofed_edge_headers_never_reach_the_origin()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.SendAsync(HttpMethod.Get, "/api/v1/items", TestSnapshot.Basic, r =>
        {
            r.Headers.TryAddWithoutValidation("X-EdgeFence-Customer", "mallory");
            r.Headers.TryAddWithoutValidation("x-edgefence-anything", "spoof");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = env.Origin.Last;
        Assert.Null(seen.Header("Authorization"));
        Assert.Null(seen.Header("X-Api-Key"));
        Assert.Equal("acme", seen.Header(RequestSigner.CustomerHeader));
        Assert.Null(seen.Header("X-EdgeFence-Anything"));
        Assert.DoesNotContain(seen.Headers.Values, v => v.Contains(TestSnapshot.Basic, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Private_headers_and_query_are_injected_and_cannot_be_overridden_by_the_client()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.SendAsync(HttpMethod.Get, "/api/v1/items?api_key=forged&%61pi_key=forged2&keep=1", TestSnapshot.Basic, r => r.Headers.TryAddWithoutValidation("X-Origin-Secret", "forged"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = env.Origin.Last;
        Assert.Equal("s3cret", seen.Header("X-Origin-Secret"));
        Assert.Equal("/api/v1/items?keep=1&api_key=origin-private", seen.RawTarget);
    }

    [Fact]
    public async Task Public_path_maps_to_the_private_path_with_the_catch_all_remainder()
    {
        await using var env = await StartAsync();
        using var chat = await env.Edge.SendAsync(HttpMethod.Post, "/v1/chat/completions", TestSnapshot.Basic, r => r.Content = new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.StartsWith("/internal/chat?", env.Origin.Last.RawTarget, StringComparison.Ordinal);

        using var report = await env.Edge.GetAsync("/reports/2026/q3", TestSnapshot.Basic);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.StartsWith("/private/reports/2026/q3?", env.Origin.Last.RawTarget, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Site_is_found_by_slug_and_the_slug_is_stripped()
    {
        await using var env = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/demo/api/v1/items");
        request.Headers.TryAddWithoutValidation("X-Api-Key", TestSnapshot.Basic);
        using var response = await env.Edge.Public.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("/api/v1/items?", env.Origin.Last.RawTarget, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unprotected_path_passes_through_signed_but_without_rate_limit_headers()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.GetAsync("/public/info");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("RateLimit"));
        var seen = env.Origin.Last;
        Assert.True(RequestSigner.Verify(TestSnapshot.HmacSecret, seen.Header(RequestSigner.SignatureHeader), DateTimeOffset.UtcNow, RequestSigner.DefaultTolerance, "GET", seen.RawTarget, "", "", "", seen.Header(RequestSigner.RequestIdHeader)!));
        Assert.Null(seen.Header(RequestSigner.CustomerHeader));
    }

    [Fact]
    public async Task Deny_by_default_site_refuses_paths_that_are_not_resources()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.Public.GetAsync("/other/free/thing");
        await AssertProblem(response, HttpStatusCode.NotFound, "unknown-resource");
        Assert.Empty(env.Origin.Requests);
    }

    [Fact]
    public async Task Enforced_response_carries_ratelimit_policy_and_remaining()
    {
        await using var env = await StartAsync();
        using var first = await env.Edge.GetAsync("/api/v1/a", TestSnapshot.Basic);

        Assert.Equal("\"rate\";q=100;w=60, \"quota\";q=5;w=2592000", first.Headers.GetValues("RateLimit-Policy").Single());
        var current = first.Headers.GetValues("RateLimit").Single();
        Assert.Matches("^\"rate\";r=99;t=[0-9]+, \"quota\";r=4;t=[0-9]+$", current);
    }

    [Fact]
    public async Task Missing_token_gets_401_with_www_authenticate_and_a_problem()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.GetAsync("/api/v1/items");

        await AssertProblem(response, HttpStatusCode.Unauthorized, "missing-token");
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.Single().ToString(), StringComparison.Ordinal);
        Assert.Empty(env.Origin.Requests);
    }

    [Theory]
    [InlineData("tok-does-not-exist", "unknown-token")]
    [InlineData("tok with space", "invalid-token")]
    public async Task Unknown_or_garbage_token_gets_401(string token, string reason)
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.SendAsync(HttpMethod.Get, "/api/v1/items", edit: r => r.Headers.TryAddWithoutValidation("X-Api-Key", token));

        await AssertProblem(response, HttpStatusCode.Unauthorized, reason);
        Assert.Empty(env.Origin.Requests);
    }

    [Fact]
    public async Task Control_character_in_a_header_gets_400_before_anything_is_counted()
    {
        // Kestrel's parser lets a control character through; no head can carry it on, so it is refused as malformed
        // before the decision (a token holding one is not even looked up), and the connection is closed.
        await using var env = await StartAsync();
        using var garbage = await env.Edge.SendAsync(HttpMethod.Get, "/api/v1/items", edit: r => r.Headers.TryAddWithoutValidation("X-Api-Key", "tok\u0001garbage"));
        await AssertProblem(garbage, HttpStatusCode.BadRequest, "invalid-header");
        Assert.True(garbage.Headers.ConnectionClose);

        // A valid token with a control character elsewhere: refused, and its quota untouched.
        using var refused = await env.Edge.SendAsync(HttpMethod.Get, "/api/v1/items", TestSnapshot.Basic, edit: r => r.Headers.TryAddWithoutValidation("X-Note", "a\u0001b"));
        await AssertProblem(refused, HttpStatusCode.BadRequest, "invalid-header");
        using var counted = await env.Edge.SendAsync(HttpMethod.Get, "/api/v1/items", TestSnapshot.Basic);
        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        Assert.Contains("\"quota\";r=4;", counted.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        Assert.Single(env.Origin.Requests);
    }

    [Fact]
    public async Task Over_long_token_gets_401_without_being_hashed()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.GetAsync("/api/v1/items", new string('a', TokenHasher.MaxTokenLength + 1));

        await AssertProblem(response, HttpStatusCode.Unauthorized, "invalid-token");
    }

    [Fact]
    public async Task Two_different_credentials_are_refused_as_ambiguous()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.SendAsync(HttpMethod.Get, "/api/v1/items", TestSnapshot.Basic, r => r.Headers.TryAddWithoutValidation("X-Api-Key", TestSnapshot.Basic2));

        await AssertProblem(response, HttpStatusCode.BadRequest, "ambiguous-credentials");
    }

    [Theory]
    [InlineData(TestSnapshot.Revoked, "token-revoked")]
    [InlineData(TestSnapshot.Expired, "token-expired")]
    [InlineData(TestSnapshot.OtherSite, "wrong-site")]
    [InlineData(TestSnapshot.Limited, "not-in-plan")]
    public async Task Valid_but_unusable_token_gets_403(string token, string reason)
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.GetAsync("/api/v1/items", token);

        await AssertProblem(response, HttpStatusCode.Forbidden, reason);
        Assert.Empty(env.Origin.Requests);
    }

    [Fact]
    public async Task Rate_limit_gets_429_with_retry_after_and_zero_remaining()
    {
        await using var env = await StartAsync();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Rate);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var denied = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Rate);
        await AssertProblem(denied, (HttpStatusCode)429, "rate-limited");
        var retryAfter = int.Parse(denied.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 120);
        Assert.Matches($"^\"rate\";r=0;t={retryAfter}$", denied.Headers.GetValues("RateLimit").Single());
        Assert.Equal(3, env.Origin.Requests.Count);
    }

    [Fact]
    public async Task Request_over_hard_quota_gets_429_with_retry_after_until_the_period_ends()
    {
        await using var env = await StartAsync();
        for (var i = 0; i < 5; i++)
        {
            using var ok = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var denied = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
        await AssertProblem(denied, (HttpStatusCode)429, "quota-exhausted");
        var retryAfter = long.Parse(denied.Headers.GetValues("Retry-After").Single());
        var now = DateTime.UtcNow;
        var monthEnd = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        Assert.InRange(retryAfter, (long)(monthEnd - now).TotalSeconds - 5, (long)(monthEnd - now).TotalSeconds + 5);
        Assert.Contains("\"quota\";r=0;", denied.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        Assert.Equal(5, env.Origin.Requests.Count);
    }

    [Fact]
    public async Task Resource_cost_is_charged_against_the_quota()
    {
        await using var env = await StartAsync();
        for (var i = 0; i < 2; i++)
        {
            using var ok = await env.Edge.SendAsync(HttpMethod.Post, "/v1/chat/completions", TestSnapshot.Basic);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // 4 of 5 units used: a cost-2 call no longer fits, a cost-1 call does.
        using var tooExpensive = await env.Edge.SendAsync(HttpMethod.Post, "/v1/chat/completions", TestSnapshot.Basic);
        await AssertProblem(tooExpensive, (HttpStatusCode)429, "quota-exhausted");
        using var fits = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    [Fact]
    public async Task Soft_quota_keeps_allowing_and_reports_zero_remaining()
    {
        await using var env = await StartAsync();
        for (var i = 0; i < 4; i++)
        {
            using var ok = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Soft);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.StartsWith($"\"quota\";r={Math.Max(0, 1 - i)};t=", ok.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Method_outside_the_resource_gets_405_with_allow()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.GetAsync("/v1/chat/completions", TestSnapshot.Basic);

        await AssertProblem(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        Assert.Equal("POST", string.Join(",", response.Content.Headers.Allow));
        Assert.Empty(env.Origin.Requests);
    }

    [Fact]
    public async Task Unknown_host_without_a_slug_gets_404()
    {
        await using var env = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/nothing/here");
        request.Headers.Host = "unknown.example";
        using var response = await env.Edge.Public.SendAsync(request);

        await AssertProblem(response, HttpStatusCode.NotFound, "unknown-site");
    }

    [Fact]
    public async Task Origin_down_gets_502_problem()
    {
        await using var env = await StartAsync();
        await env.Origin.DisposeAsync();
        using var response = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Unlimited);

        await AssertProblem(response, HttpStatusCode.BadGateway, "origin-unreachable");
    }

    [Fact]
    public async Task Slow_origin_gets_504_problem()
    {
        await using var env = await StartAsync("--EdgeFence:OriginTimeoutSeconds=1");
        using var response = await env.Edge.GetAsync("/slow", TestSnapshot.Unlimited);

        await AssertProblem(response, HttpStatusCode.GatewayTimeout, "origin-timeout");
    }

    [Fact]
    public async Task Request_bodies_reach_the_origin_byte_exact_with_content_length_and_chunked()
    {
        await using var env = await StartAsync();
        var payload = new byte[3 * 1024 * 1024 + 17];
        new Random(12).NextBytes(payload);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(payload));

        using var sized = await env.Edge.SendAsync(HttpMethod.Post, "/public/upload", edit: r => r.Content = new ByteArrayContent(payload));
        Assert.Equal(HttpStatusCode.OK, sized.StatusCode);
        Assert.Equal(payload.Length, env.Origin.Last.BodyBytes);
        Assert.Equal(expected, env.Origin.Last.BodySha256);

        using var chunked = await env.Edge.SendAsync(HttpMethod.Put, "/public/upload", edit: r =>
        {
            r.Content = new StreamContent(new MemoryStream(payload));
            r.Headers.TransferEncodingChunked = true;
        });
        Assert.Equal(HttpStatusCode.OK, chunked.StatusCode);
        Assert.Equal(payload.Length, env.Origin.Last.BodyBytes);
        Assert.Equal(expected, env.Origin.Last.BodySha256);
    }

    [Fact]
    public async Task Upload_with_expect_100_continue_reaches_the_origin_whole()
    {
        await using var env = await StartAsync();
        var payload = new byte[300_000];
        new Random(3).NextBytes(payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/public/upload") { Content = new ByteArrayContent(payload) };
        request.Headers.Host = TestSnapshot.SiteHost;
        request.Headers.ExpectContinue = true;
        using var response = await env.Edge.Public.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload.Length, env.Origin.Last.BodyBytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(payload)), env.Origin.Last.BodySha256);
    }

    [Fact]
    public async Task Large_response_streams_back_whole()
    {
        await using var env = await StartAsync();
        using var response = await env.Edge.Public.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/download/5000000") { Headers = { Host = TestSnapshot.SiteHost } }, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5_000_000, response.Content.Headers.ContentLength);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(5_000_000, body.Length);
        Assert.Equal(unchecked((byte)((70_000 - 65_536) * 31)), body[70_000]);
    }

    [Fact]
    public async Task Head_request_gets_the_origin_headers_without_a_body()
    {
        await using var env = await StartAsync();
        using var head = await env.Edge.SendAsync(HttpMethod.Head, "/api/v1/items", TestSnapshot.Unlimited);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("test", head.Headers.GetValues("X-Origin").Single());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal("HEAD", env.Origin.Last.Method);

        using var get = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Unlimited);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    // Kestrel itself rewrites a Connection value that contains keep-alive to just "keep-alive" (checked on
    // .NET 10), so a header named beside keep-alive cannot be seen, by either engine: the test names one alone.
    [Fact]
    public async Task Hop_by_hop_headers_and_the_ones_connection_names_never_reach_the_origin()
    {
        await using var env = await StartAsync();
        var (status, _) = await RawHttp.SendAsync(env.Edge.PublicUrl,
            $"GET /public/info HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nConnection: X-Named\r\nX-Named: drop\r\nKeep-Alive: 5\r\nProxy-Connection: keep-alive\r\nX-Client: kept\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(200, status);
        var seen = env.Origin.Last;
        Assert.Null(seen.Header("X-Named"));
        Assert.Null(seen.Header("Keep-Alive"));
        Assert.Null(seen.Header("Proxy-Connection"));
        Assert.Equal("kept", seen.Header("X-Client"));
        Assert.Equal(TestSnapshot.SiteHost, seen.Header("Host"));
    }

    [Fact]
    public async Task Admin_surface_is_not_reachable_on_the_public_listener()
    {
        await using var env = await StartAsync();
        using var put = new HttpRequestMessage(HttpMethod.Put, "/v1/snapshot") { Content = new ByteArrayContent([1, 2, 3]) };
        using var response = await env.Edge.Public.SendAsync(put);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        using var health = await env.Edge.Public.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);
    }

    internal static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("urn:edgefence:problem:" + reason, json.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(reason, json.RootElement.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("title").GetString()));
    }
}
