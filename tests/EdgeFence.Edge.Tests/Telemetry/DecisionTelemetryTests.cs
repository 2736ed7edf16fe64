using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class DecisionTelemetryTests
{
    /// <summary>Sends a fixed mix of outcomes; returns how many of each (site, decision, reason) it produced.</summary>
    private static async Task<Dictionary<(string Site, string Decision, string Reason), int>> SendMixAsync(TestEnvironment env)
    {
        for (var i = 0; i < 3; i++)
        {
            using var ok = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        for (var i = 0; i < 4; i++)
        {
            using var rate = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Rate);
            Assert.Equal(i < 3 ? HttpStatusCode.OK : (HttpStatusCode)429, rate.StatusCode);
        }

        using (var free = await env.Edge.GetAsync("/public/x"))
        {
            Assert.Equal(HttpStatusCode.OK, free.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var missing = await env.Edge.GetAsync("/api/v1/items");
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        }

        using (var revoked = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Revoked))
        {
            Assert.Equal(HttpStatusCode.Forbidden, revoked.StatusCode);
        }

        var (status, _) = await RawHttp.SendAsync(env.Edge.PublicUrl, $"GET /api%2Fv1/items HTTP/1.1\r\nHost: {TestSnapshot.SiteHost}\r\nConnection: close\r\n\r\n");
        Assert.Equal(400, status);

        using var authorize = new HttpRequestMessage(HttpMethod.Post, "/v1/authorize")
        {
            Content = new StringContent("{\"token\":\"" + TestSnapshot.Basic + "\",\"method\":\"GET\",\"path\":\"/api/v1/x\"}", Encoding.UTF8, "application/json"),
        };
        authorize.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestSnapshot.OriginKey);
        using (var decision = await env.Edge.Public.SendAsync(authorize))
        {
            Assert.Equal(HttpStatusCode.OK, decision.StatusCode);
        }

        return new()
        {
            [("demo", "allow", "allowed")] = 7,
            [("demo", "deny", "rate-limited")] = 1,
            [("demo", "passthrough", "unprotected")] = 1,
            [("demo", "deny", "missing-token")] = 2,
            [("demo", "deny", "token-revoked")] = 1,
            [("-", "deny", "ambiguous-path")] = 1,
        };
    }

    [Fact]
    public async Task Every_decision_is_counted_in_metrics_that_parse_as_prometheus_text()
    {
        await using var env = await TestEnvironment.StartAsync();
        var expected = await SendMixAsync(env);

        var scrape = await env.Edge.Admin.GetStringAsync("/metrics");
        var (samples, types) = PrometheusText.Parse(scrape);

        Assert.Equal("counter", types["edgefence_decisions_total"]);
        var decisions = samples.Where(s => s.Name == "edgefence_decisions_total")
            .ToDictionary(s => (s.Labels["site"], s.Labels["decision"], s.Labels["reason"]), s => (int)s.Value);
        Assert.Equal(expected.OrderBy(e => e.Key).ToList(), decisions.OrderBy(e => e.Key).ToList());

        Assert.Equal("histogram", types["edgefence_request_duration_seconds"]);
        var originCount = samples.Single(s => s.Name == "edgefence_request_duration_seconds_count" && s.Labels["phase"] == "origin").Value;
        Assert.Equal(7, originCount);
        var edgeCount = samples.Single(s => s.Name == "edgefence_request_duration_seconds_count" && s.Labels["phase"] == "edge").Value;
        Assert.Equal(11, edgeCount);
        Assert.Equal(1, samples.Single(s => s.Name == "edgefence_snapshot_version").Value);
        Assert.DoesNotContain(samples, s => s.Name == "edgefence_origin_errors_total" && s.Value > 0);
    }

    [Fact]
    public async Task Every_decision_becomes_one_log_record_with_its_fields_and_none_is_lost_on_graceful_stop()
    {
        await using var env = await TestEnvironment.StartAsync();
        var expected = await SendMixAsync(env);
        await env.Edge.StopAsync();

        var lines = Directory.GetFiles(Path.Combine(env.Edge.DataDir, "decisions"), "*.ndjson").SelectMany(File.ReadAllLines).ToList();
        var records = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(expected.Values.Sum(), records.Count);
        var counted = records.GroupBy(r => (r.GetProperty("site").GetString()!, r.GetProperty("decision").GetString()!, r.GetProperty("reason").GetString()!))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected.OrderBy(e => e.Key).ToList(), counted.OrderBy(e => e.Key).ToList());

        var revoked = records.Single(r => r.GetProperty("reason").GetString() == "token-revoked");
        Assert.Equal("t-revoked", revoked.GetProperty("tokenId").GetString());
        Assert.Equal("wayne", revoked.GetProperty("customer").GetString());
        Assert.Equal("plan-basic", revoked.GetProperty("plan").GetString());
        Assert.Equal(403, revoked.GetProperty("status").GetInt32());
        Assert.Equal("/api/v1/*", revoked.GetProperty("resource").GetString());
        Assert.Equal("test-node", revoked.GetProperty("node").GetString());
        Assert.Equal(0, revoked.GetProperty("units").GetInt64());

        var forwarded = records.Where(r => r.GetProperty("tokenId").ValueKind == JsonValueKind.String && r.GetProperty("tokenId").GetString() == "t-basic" && r.TryGetProperty("originStatus", out _))
            .OrderBy(r => r.GetProperty("time").GetString(), StringComparer.Ordinal).ToList();
        Assert.Equal(3, forwarded.Count);
        Assert.Equal([4L, 3L, 2L], forwarded.Select(r => r.GetProperty("remaining").GetInt64()));
        Assert.All(forwarded, r =>
        {
            Assert.Equal(200, r.GetProperty("originStatus").GetInt32());
            Assert.True(r.GetProperty("originLatencyMs").GetDouble() >= 0);
            Assert.Equal(1, r.GetProperty("units").GetInt64());
            Assert.Equal(1, r.GetProperty("snapshotVersion").GetInt64());
            Assert.Equal(32, r.GetProperty("requestId").GetString()!.Length);
        });

        var allText = string.Join('\n', lines);
        foreach (var token in new[] { TestSnapshot.Basic, TestSnapshot.Rate, TestSnapshot.Revoked })
        {
            Assert.DoesNotContain(token, allText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_full_decision_log_queue_drops_and_counts_records_without_failing_requests()
    {
        await using var env = await TestEnvironment.StartAsync("--EdgeFence:DecisionLogCapacity=1");
        const int Requests = 200;
        var results = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            using var response = await env.Edge.GetAsync("/public/x");
            return response.StatusCode;
        }));
        Assert.All(results, s => Assert.Equal(HttpStatusCode.OK, s));

        var (samples, _) = PrometheusText.Parse(await env.Edge.Admin.GetStringAsync("/metrics"));
        var dropped = (int)(samples.SingleOrDefault(s => s.Name == "edgefence_decision_log_dropped_total")?.Value ?? 0);
        await env.Edge.StopAsync();

        var written = Directory.GetFiles(Path.Combine(env.Edge.DataDir, "decisions"), "*.ndjson").Sum(f => File.ReadAllLines(f).Length);
        Assert.Equal(Requests, written + dropped);
    }
}
