using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeFence.AspNetCore.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeFence.AspNetCore.Tests.Authorize;

/// <summary>Middleware mode end to end: clients call the sample origin directly; it asks a real edge with UseEdgeFenceAuthorize.</summary>
public sealed class AuthorizeMiddlewareTests
{
    /// <summary>Middleware mode never forwards, so the snapshot's origin URL is never dialled.</summary>
    private const string UnusedOriginUrl = "http://127.0.0.1:9";

    private static async Task<(DemoOriginUnderTest Origin, EdgeHost Edge)> StartAsync(Action<EdgeFenceAuthorizeOptions>? edit = null)
    {
        var edge = await EdgeHost.StartAsync(TestSnapshot.Create(UnusedOriginUrl));
        var origin = await DemoOriginUnderTest.StartMiddlewareModeAsync(edge.PublicUrl, edit);
        return (origin, edge);
    }

    private static Task<HttpResponseMessage> GetAsync(DemoOriginUnderTest origin, string target, string? bearer = null, string? apiKey = null, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, origin.Url + target);
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        if (apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", apiKey);
        }

        return origin.Client.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("urn:edgefence:problem:" + reason, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        return problem.RootElement.Clone();
    }

    private static async Task<JsonElement> EchoAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("middleware", echo.RootElement.GetProperty("mode").GetString());
        return echo.RootElement.Clone();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Allowed_request_reaches_the_origin_with_the_identity_and_rate_limit_headers(bool bearer)
    {
        var (origin, edge) = await StartAsync();
        await using (edge)
        await using (origin)
        {
            using var response = await GetAsync(origin, "/api/v1/items?page=2", bearer ? TestSnapshot.Basic : null, bearer ? null : TestSnapshot.Basic);

            var echo = await EchoAsync(response);
            Assert.Equal("/api/v1/items?page=2", echo.GetProperty("path").GetString());
            Assert.Equal("acme", echo.GetProperty("customer").GetString());
            Assert.Equal("plan-basic", echo.GetProperty("plan").GetString());
            Assert.Equal("t-basic", echo.GetProperty("tokenId").GetString());
            Assert.False(echo.GetProperty("signatureValid").GetBoolean());
            Assert.Equal(Header(response, EdgeFenceHeaders.RequestId), echo.GetProperty("requestId").GetString());
            Assert.StartsWith("\"rate\";q=100;w=60, \"quota\";q=5;w=", Header(response, "RateLimit-Policy"), StringComparison.Ordinal);
            Assert.StartsWith("\"rate\";r=99;", Header(response, "RateLimit"), StringComparison.Ordinal);
            Assert.Contains("\"quota\";r=4;", Header(response, "RateLimit"), StringComparison.Ordinal);
            Assert.Null(Header(response, "Retry-After"));
        }
    }

    [Fact]
    public async Task Allowed_requests_are_counted_by_the_edge()
    {
        var (origin, edge) = await StartAsync();
        await using (edge)
        await using (origin)
        {
            for (var remaining = 4; remaining >= 0; remaining--)
            {
                using var ok = await GetAsync(origin, "/api/v1/items", TestSnapshot.Basic);
                await EchoAsync(ok);
                Assert.Contains($"\"quota\";r={remaining};", Header(ok, "RateLimit"), StringComparison.Ordinal);
            }

            using var refused = await GetAsync(origin, "/api/v1/items", TestSnapshot.Basic);
            await ProblemAsync(refused, HttpStatusCode.TooManyRequests, "quota-exhausted");
        }
    }

    [Fact]
    public async Task Rate_limited_request_gets_429_with_the_edge_headers_and_problem()
    {
        var (origin, edge) = await StartAsync();
        await using (edge)
        await using (origin)
        {
            for (var i = 0; i < 3; i++)
            {
                using var ok = await GetAsync(origin, "/api/v1/items", TestSnapshot.Rate);
                await EchoAsync(ok);
            }

            using var response = await GetAsync(origin, "/api/v1/items", TestSnapshot.Rate);

            var problem = await ProblemAsync(response, HttpStatusCode.TooManyRequests, "rate-limited");
            Assert.Equal("rate-limited", problem.GetProperty("reason").GetString());
            Assert.Equal("\"rate\";q=3;w=60", Header(response, "RateLimit-Policy"));
            var retryAfter = int.Parse(Header(response, "Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
            // Sliding window: the previous window's requests still weigh after it ends, so up to 2 × 60 s.
            Assert.InRange(retryAfter, 1, 120);
            Assert.Equal($"\"rate\";r=0;t={retryAfter}", Header(response, "RateLimit"));
            Assert.Equal(problem.GetProperty("requestId").GetString(), Header(response, EdgeFenceHeaders.RequestId));
        }
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized, "missing-token")]
    [InlineData("tok-nope", HttpStatusCode.Unauthorized, "unknown-token")]
    [InlineData(TestSnapshot.Revoked, HttpStatusCode.Forbidden, "token-revoked")]
    [InlineData(TestSnapshot.Limited, HttpStatusCode.Forbidden, "not-in-plan")]
    public async Task Denied_request_gets_the_edge_status_and_problem(string? token, HttpStatusCode status, string reason)
    {
        var (origin, edge) = await StartAsync();
        await using (edge)
        await using (origin)
        {
            using var response = await GetAsync(origin, "/api/v1/items", token);

            await ProblemAsync(response, status, reason);
            Assert.Equal(status == HttpStatusCode.Unauthorized ? "Bearer realm=\"edgefence\"" : "", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task Method_not_allowed_gets_405_with_allow()
    {
        var (origin, edge) = await StartAsync();
        await using (edge)
        await using (origin)
        {
            using var response = await GetAsync(origin, "/v1/chat/completions", TestSnapshot.Basic);

            await ProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
            Assert.Equal("POST", string.Join(",", response.Content.Headers.Allow));
        }
    }

    [Fact]
    public async Task Ambiguous_path_is_refused_as_the_edge_would()
    {
        var (origin, edge) = await StartAsync();
        await using (edge)
        await using (origin)
        {
            var (status, raw) = await RawHttp.SendAsync(origin.Url, $"GET /public/..%2Fapi/v1/items HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer {TestSnapshot.Basic}\r\nConnection: close\r\n\r\n");

            Assert.Equal(400, status);
            Assert.Contains("urn:edgefence:problem:ambiguous-path", raw, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Unprotected_path_is_allowed_without_a_token_or_rate_limit_headers()
    {
        var (origin, edge) = await StartAsync();
        await using (edge)
        await using (origin)
        {
            using var response = await GetAsync(origin, "/public/hello");

            var echo = await EchoAsync(response);
            Assert.Equal(JsonValueKind.Null, echo.GetProperty("customer").ValueKind);
            Assert.Equal(32, echo.GetProperty("requestId").GetString()!.Length);
            Assert.Null(Header(response, "RateLimit-Policy"));
            Assert.Null(Header(response, "RateLimit"));
        }
    }

    [Fact]
    public async Task Two_different_tokens_get_400_and_charge_neither()
    {
        var (origin, edge) = await StartAsync();
        await using (edge)
        await using (origin)
        {
            using var response = await GetAsync(origin, "/api/v1/items", bearer: TestSnapshot.Basic, apiKey: TestSnapshot.Basic2);
            await ProblemAsync(response, HttpStatusCode.BadRequest, "ambiguous-credentials");

            using var next = await GetAsync(origin, "/api/v1/items", TestSnapshot.Basic);
            Assert.Contains("\"quota\";r=4;", Header(next, "RateLimit"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Oversized_token_is_refused_even_when_failing_open()
    {
        // The edge refuses a body over its limit with 400. Were that an "edge failure", fail-open would
        // let any client skip enforcement by sending a long enough token.
        var (origin, edge) = await StartAsync(o => o.FailurePolicy = EdgeFenceFailurePolicy.FailOpen);
        await using (edge)
        await using (origin)
        {
            using var failures = new FailureMeasurements(origin.MeterFactory);
            using var response = await GetAsync(origin, "/api/v1/items", new string('a', 9_000));

            await ProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request-body");
            Assert.Empty(failures.Recorded);
        }
    }

    [Fact]
    public async Task Stopped_edge_fails_closed_with_503_by_default_and_is_counted()
    {
        var (origin, edge) = await StartAsync();
        await using (edge)
        await using (origin)
        {
            using var failures = new FailureMeasurements(origin.MeterFactory);
            using (var before = await GetAsync(origin, "/api/v1/items", TestSnapshot.Basic))
            {
                await EchoAsync(before); // a pooled connection to the edge now exists
            }

            await edge.StopAsync();
            using var response = await GetAsync(origin, "/api/v1/items", TestSnapshot.Basic);

            await ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "edge-unavailable");
            Assert.Equal("1", Header(response, "Retry-After"));
            Assert.Null(Header(response, "RateLimit"));
            var failure = Assert.Single(failures.Recorded);
            Assert.Equal((1L, "fail-closed", "unreachable"), failure);
            Assert.Contains(origin.Logs.Events, e => e.Level == LogLevel.Warning && e.Message.Contains("FailClosed", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Stopped_edge_fails_open_when_configured_and_is_counted()
    {
        var (origin, edge) = await StartAsync(o => o.FailurePolicy = EdgeFenceFailurePolicy.FailOpen);
        await using (edge)
        await using (origin)
        {
            using var failures = new FailureMeasurements(origin.MeterFactory);
            using (var before = await GetAsync(origin, "/api/v1/items", TestSnapshot.Basic))
            {
                await EchoAsync(before);
            }

            await edge.StopAsync();
            using var response = await GetAsync(origin, "/api/v1/items", TestSnapshot.Basic);

            var echo = await EchoAsync(response);
            Assert.Equal(JsonValueKind.Null, echo.GetProperty("customer").ValueKind);
            Assert.Equal(JsonValueKind.Null, echo.GetProperty("requestId").ValueKind);
            Assert.Null(Header(response, "RateLimit-Policy"));
            Assert.Null(Header(response, "RateLimit"));
            Assert.Equal((1L, "fail-open", "unreachable"), Assert.Single(failures.Recorded));
        }
    }

    [Fact]
    public async Task Wrong_origin_key_is_an_edge_failure_not_a_client_error()
    {
        var (origin, edge) = await StartAsync(o => o.OriginKey = "not-the-origin-key");
        await using (edge)
        await using (origin)
        {
            using var failures = new FailureMeasurements(origin.MeterFactory);
            using var response = await GetAsync(origin, "/api/v1/items", TestSnapshot.Basic);

            await ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "edge-unavailable");
            Assert.Equal((1L, "fail-closed", "status"), Assert.Single(failures.Recorded));
        }
    }

    [Fact]
    public async Task Edge_slower_than_the_timeout_fails_closed()
    {
        // A real edge cannot be made slow on demand: this stand-in accepts the call and never answers in time.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var slowEdge = builder.Build();
        slowEdge.Run(async context => await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted));
        await slowEdge.StartAsync();

        await using var origin = await DemoOriginUnderTest.StartMiddlewareModeAsync(slowEdge.Urls.First(), o => o.Timeout = TimeSpan.FromMilliseconds(300));
        using var failures = new FailureMeasurements(origin.MeterFactory);
        var clock = Stopwatch.StartNew();
        using var response = await GetAsync(origin, "/api/v1/items", TestSnapshot.Basic);

        await ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "edge-unavailable");
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        Assert.Equal((1L, "fail-closed", "timeout"), Assert.Single(failures.Recorded));
    }

    [Fact]
    public async Task Missing_edge_url_is_refused_at_start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddEdgeFenceAuthorize(o => o.OriginKey = "key");
        await using var app = builder.Build();

        var error = Assert.Throws<OptionsValidationException>(() => app.UseEdgeFenceAuthorize());
        Assert.Contains("EdgeUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_middleware_without_its_services_says_what_is_missing()
    {
        await using var app = WebApplication.CreateSlimBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseEdgeFenceAuthorize());
        Assert.Contains("AddEdgeFenceAuthorize", error.Message, StringComparison.Ordinal);
    }
}
