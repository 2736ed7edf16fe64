using System.Net;
using System.Text;
using System.Text.Json;
using EdgeFence.AspNetCore.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeFence.AspNetCore.Tests.Signature;

/// <summary>Proxy mode end to end: a real edge forwarding to the sample origin, which verifies with UseEdgeFenceSignature.</summary>
public sealed class SignatureMiddlewareTests
{
    /// <summary>What the edge forwards /api/v1/items as: the test site injects a private query parameter.</summary>
    private const string ForwardedItems = "/api/v1/items?api_key=origin-private";

    private static async Task<(DemoOriginUnderTest Origin, EdgeHost Edge)> StartAsync(Action<EdgeFenceSignatureOptions>? edit = null)
    {
        var origin = await DemoOriginUnderTest.StartProxyModeAsync(edit);
        var edge = await EdgeHost.StartAsync(TestSnapshot.Create(origin.Url));
        return (origin, edge);
    }

    /// <summary>Sends a request through the edge, checks the origin accepted it, and returns what the edge sent.</summary>
    private static async Task<RecordedRequest> ThroughEdgeAsync(DemoOriginUnderTest origin, EdgeHost edge, string target = "/api/v1/items", string? token = TestSnapshot.Basic)
    {
        using var response = await edge.GetAsync(target, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(echo.RootElement.GetProperty("signatureValid").GetBoolean());
        return origin.Arrived.Last();
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string detailContains)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("EdgeFence-Signature", response.Headers.WwwAuthenticate.ToString());
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("urn:edgefence:problem:invalid-signature", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(detailContains, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_through_the_edge_reaches_the_origin_and_passes_verification()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            using var response = await edge.GetAsync("/api/v1/items", TestSnapshot.Basic);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = echo.RootElement;
            Assert.Equal("proxy", root.GetProperty("mode").GetString());
            Assert.True(root.GetProperty("signatureValid").GetBoolean());
            Assert.Equal(ForwardedItems, root.GetProperty("path").GetString());
            Assert.Equal("acme", root.GetProperty("customer").GetString());
            Assert.Equal("plan-basic", root.GetProperty("plan").GetString());
            Assert.Equal("t-basic", root.GetProperty("tokenId").GetString());
            Assert.Equal(response.Headers.GetValues(EdgeFenceHeaders.RequestId).Single(), root.GetProperty("requestId").GetString());
        }
    }

    [Fact]
    public async Task Unprotected_request_through_the_edge_passes_verification_without_a_customer()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            using var response = await edge.GetAsync("/public/hello?q=1", token: null);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = echo.RootElement;
            Assert.True(root.GetProperty("signatureValid").GetBoolean());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("customer").ValueKind);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("tokenId").ValueKind);
            Assert.Equal(32, root.GetProperty("requestId").GetString()!.Length);
        }
    }

    [Fact]
    public async Task Post_with_a_private_path_and_a_body_passes_verification()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            using var response = await edge.SendAsync(HttpMethod.Post, "/v1/chat/completions?stream=false", TestSnapshot.Unlimited, r => r.Content = new StringContent("{\"model\":\"m\"}", Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(echo.RootElement.GetProperty("signatureValid").GetBoolean());
            Assert.Equal("/internal/chat?stream=false&api_key=origin-private", echo.RootElement.GetProperty("path").GetString());
            Assert.Equal(13, echo.RootElement.GetProperty("bodyBytes").GetInt64());
        }
    }

    [Fact]
    public async Task Request_sent_straight_to_the_origin_without_a_signature_is_refused()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            using var response = await origin.Client.GetAsync(origin.Url + ForwardedItems);
            await AssertRefusedAsync(response, "no X-EdgeFence-Signature");
        }
    }

    [Fact]
    public async Task Forged_signature_is_refused()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var sent = await ThroughEdgeAsync(origin, edge);
            var signature = sent.Header(EdgeFenceHeaders.Signature)!;
            var forged = signature[..^1] + (signature[^1] == '0' ? '1' : '0');

            using var response = await origin.ReplayAsync(sent, edit: r =>
            {
                r.Headers.Remove(EdgeFenceHeaders.Signature);
                r.Headers.TryAddWithoutValidation(EdgeFenceHeaders.Signature, forged);
            });
            await AssertRefusedAsync(response, "does not match");
        }
    }

    [Fact]
    public async Task Edge_signature_with_a_forged_customer_is_refused()
    {
        var (origin, edge) = await StartAsync(o => o.ReplayProtection = false);
        await using (origin)
        await using (edge)
        {
            var sent = await ThroughEdgeAsync(origin, edge);

            using var response = await origin.ReplayAsync(sent, edit: r =>
            {
                r.Headers.Remove(EdgeFenceHeaders.Customer);
                r.Headers.TryAddWithoutValidation(EdgeFenceHeaders.Customer, "globex");
            });
            await AssertRefusedAsync(response, "does not match");
        }
    }

    [Fact]
    public async Task Edge_signature_with_an_old_timestamp_is_refused()
    {
        var (origin, edge) = await StartAsync(o => o.ReplayProtection = false);
        await using (origin)
        await using (edge)
        {
            var sent = await ThroughEdgeAsync(origin, edge);

            // The origin's clock now reads 301 s after the edge signed (at least: the edge signed before).
            origin.Clock.Offset = TimeSpan.FromSeconds(301);
            using var response = await origin.ReplayAsync(sent);
            await AssertRefusedAsync(response, "outside the accepted window");
        }
    }

    [Fact]
    public async Task Edge_signature_inside_the_tolerance_is_accepted_when_replays_are_allowed()
    {
        // The counterpart of the two refusal tests around it: the same replayed request passes when
        // neither the clock nor the replay cache stands in the way, so the refusals are theirs.
        var (origin, edge) = await StartAsync(o => o.ReplayProtection = false);
        await using (origin)
        await using (edge)
        {
            var sent = await ThroughEdgeAsync(origin, edge);

            origin.Clock.Offset = TimeSpan.FromSeconds(290);
            using var response = await origin.ReplayAsync(sent);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Edge_signature_from_the_future_beyond_the_tolerance_is_refused()
    {
        var (origin, edge) = await StartAsync(o => o.ReplayProtection = false);
        await using (origin)
        await using (edge)
        {
            var sent = await ThroughEdgeAsync(origin, edge);

            origin.Clock.Offset = TimeSpan.FromSeconds(-310);
            using var response = await origin.ReplayAsync(sent);
            await AssertRefusedAsync(response, "outside the accepted window");
        }
    }

    [Fact]
    public async Task Replayed_request_id_is_refused()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var sent = await ThroughEdgeAsync(origin, edge);

            using var response = await origin.ReplayAsync(sent);
            await AssertRefusedAsync(response, "already been accepted");
        }
    }

    [Theory]
    [InlineData("GET", "/api/v1/other?api_key=origin-private")]
    [InlineData("GET", "/api/v1/items?api_key=origin-private&extra=1")]
    [InlineData("GET", "/api/v1/items")]
    [InlineData("GET", "/API/v1/items?api_key=origin-private")]
    [InlineData("GET", "/api/v1/%69tems?api_key=origin-private")]
    [InlineData("DELETE", ForwardedItems)]
    public async Task Edge_signature_on_an_altered_request_line_is_refused(string method, string target)
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            var sent = await ThroughEdgeAsync(origin, edge);

            // Raw bytes: HttpClient would normalize '%69' back to 'i', and that spelling is the point.
            var (status, raw) = await RawHttp.SendAsync(origin.Url, RequestHead(method, target, sent));
            Assert.Equal(401, status);
            Assert.Contains("does not match this request", raw, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Repeated_identity_header_is_refused()
    {
        var (origin, edge) = await StartAsync(o => o.ReplayProtection = false);
        await using (origin)
        await using (edge)
        {
            var sent = await ThroughEdgeAsync(origin, edge);

            // Two header lines: HttpClient would fold a second value into the first line.
            var (status, raw) = await RawHttp.SendAsync(origin.Url, RequestHead(sent.Method, sent.RawTarget, sent, $"{EdgeFenceHeaders.Plan}: plan-unlimited\r\n"));
            Assert.Equal(401, status);
            Assert.Contains("a signed header is repeated", raw, StringComparison.Ordinal);
        }
    }

    /// <summary>A request head with the EdgeFence headers <paramref name="sent"/> carried, plus <paramref name="extraHeaders"/>.</summary>
    private static string RequestHead(string method, string target, RecordedRequest sent, string extraHeaders = "")
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n");
        foreach (var (name, value) in sent.Headers)
        {
            if (name.StartsWith("X-EdgeFence-", StringComparison.OrdinalIgnoreCase))
            {
                head.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        return head.Append(extraHeaders).Append("\r\n").ToString();
    }

    [Fact]
    public async Task Refusals_are_logged_at_debug_and_never_above()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            using var response = await origin.Client.GetAsync(origin.Url + "/api/v1/items");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

            var sdkEvents = origin.Logs.Events.Where(e => e.Category.StartsWith("EdgeFence.AspNetCore", StringComparison.Ordinal)).ToList();
            var refusal = Assert.Single(sdkEvents);
            Assert.Equal(LogLevel.Debug, refusal.Level);
            Assert.Contains("Missing", refusal.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(origin.Logs.Events, e => e.Level >= LogLevel.Warning);
        }
    }

    [Fact]
    public async Task Health_check_answers_without_a_signature()
    {
        var (origin, edge) = await StartAsync();
        await using (origin)
        await using (edge)
        {
            using var response = await origin.Client.GetAsync(origin.Url + "/healthz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
