using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Authorize;

/// <summary>Middleware mode on the fast path (the default); <see cref="AuthorizeTestsBehindKestrel"/> runs the same suite on Kestrel's HTTP layer.</summary>
public class AuthorizeTests
{
    /// <summary><c>EdgeFence:FastPath</c>.</summary>
    protected virtual bool FastPath => true;

    private Task<TestEnvironment> StartAsync() => TestEnvironment.StartAsync([$"--EdgeFence:FastPath={FastPath}"]);

    private static Task<HttpResponseMessage> AuthorizeAsync(EdgeHost edge, string body, string? originKey = TestSnapshot.OriginKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authorize") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (originKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", originKey);
        }

        return edge.Public.SendAsync(request);
    }

    private static string Body(string token, string path = "/api/v1/items", string method = "GET")
        => JsonSerializer.Serialize(new Dictionary<string, string> { ["token"] = token, ["method"] = method, ["path"] = path, ["host"] = TestSnapshot.SiteHost });

    [Fact]
    public async Task Allowed_decision_answers_allow_with_customer_plan_and_remaining()
    {
        await using var env = await StartAsync();
        using var response = await AuthorizeAsync(env.Edge, Body(TestSnapshot.Basic));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.True(root.GetProperty("allow").GetBoolean());
        Assert.Equal(200, root.GetProperty("status").GetInt32());
        Assert.Equal("allowed", root.GetProperty("reason").GetString());
        Assert.Equal("acme", root.GetProperty("customer").GetString());
        Assert.Equal("plan-basic", root.GetProperty("plan").GetString());
        Assert.Equal(5, root.GetProperty("limit").GetInt64());
        Assert.Equal(4, root.GetProperty("remaining").GetInt64());
        Assert.True(root.GetProperty("reset").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(response.Headers.Contains("RateLimit"));
        Assert.Empty(env.Origin.Requests);
    }

    [Fact]
    public async Task Authorize_and_proxy_mode_count_against_the_same_quota()
    {
        await using var env = await StartAsync();
        for (var i = 0; i < 3; i++)
        {
            using var r = await AuthorizeAsync(env.Edge, Body(TestSnapshot.Basic));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var ok = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var denied = await AuthorizeAsync(env.Edge, Body(TestSnapshot.Basic));
        using var json = JsonDocument.Parse(await denied.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("allow").GetBoolean());
        Assert.Equal(429, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("quota-exhausted", json.RootElement.GetProperty("reason").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("remaining").GetInt64());
        Assert.True(json.RootElement.GetProperty("retryAfter").GetInt64() >= 1);
        Assert.Equal("urn:edgefence:problem:quota-exhausted", json.RootElement.GetProperty("problem").GetProperty("type").GetString());
        Assert.True(denied.Headers.Contains("Retry-After"));
    }

    [Theory]
    [InlineData("tok-nope", 401, "unknown-token")]
    [InlineData(TestSnapshot.Revoked, 403, "token-revoked")]
    [InlineData(TestSnapshot.Limited, 403, "not-in-plan")]
    [InlineData("", 401, "missing-token")]
    public async Task Denied_decision_carries_status_and_reason(string token, int status, string reason)
    {
        await using var env = await StartAsync();
        using var response = await AuthorizeAsync(env.Edge, Body(token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("allow").GetBoolean());
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(reason, json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Unprotected_path_is_allowed_without_a_token()
    {
        await using var env = await StartAsync();
        using var response = await AuthorizeAsync(env.Edge, Body("", "/public/x"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("allow").GetBoolean());
        Assert.Equal("unprotected", json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Ambiguous_path_in_authorize_is_denied()
    {
        await using var env = await StartAsync();
        using var response = await AuthorizeAsync(env.Edge, Body(TestSnapshot.Basic, "/public/..%2Fapi/v1/x"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("allow").GetBoolean());
        Assert.Equal("ambiguous-path", json.RootElement.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-origin-key")]
    public async Task Missing_or_wrong_origin_key_gets_401(string? originKey)
    {
        await using var env = await StartAsync();
        using var response = await AuthorizeAsync(env.Edge, Body(TestSnapshot.Basic), originKey);
        await Proxy.ProxyTests.AssertProblem(response, HttpStatusCode.Unauthorized, "invalid-origin-key");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"token\":5,\"method\":\"GET\",\"path\":\"/x\"}")]
    [InlineData("{\"token\":\"t\"}")]
    [InlineData("{\"token\":\"t\",\"method\":\"GET\",\"path\":\"/x\"} trailing")]
    public async Task Malformed_body_gets_400(string body)
    {
        await using var env = await StartAsync();
        using var response = await AuthorizeAsync(env.Edge, body);
        await Proxy.ProxyTests.AssertProblem(response, HttpStatusCode.BadRequest, "invalid-request-body");
    }

    [Fact]
    public async Task Oversized_body_gets_400()
    {
        await using var env = await StartAsync();
        using var response = await AuthorizeAsync(env.Edge, Body(new string('a', 10_000)));
        await Proxy.ProxyTests.AssertProblem(response, HttpStatusCode.BadRequest, "invalid-request-body");
    }

    [Fact]
    public async Task A_call_with_the_host_of_a_site_is_answered_by_the_edge_not_forwarded()
    {
        // /v1/authorize comes before any site: with the site's Host (or a path that names a site) it is still the edge's.
        await using var env = await StartAsync();
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authorize") { Content = new StringContent(Body(TestSnapshot.Basic), Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestSnapshot.OriginKey);
            request.Headers.Host = TestSnapshot.SiteHost;
            using var response = await env.Edge.Public.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.True(response.Headers.Contains("X-EdgeFence-Request-Id"));
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(4 - i, json.RootElement.GetProperty("remaining").GetInt64());
        }

        Assert.Empty(env.Origin.Requests);
    }
}
