using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Infrastructure;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Tests.Usage;

/// <summary>Real edge, real control plane, real Redis: what goes through the edge ends up in the rollups, exactly once.</summary>
public sealed class RollupTests
{
    /// <summary>The edge flushes every second, so the tests wait seconds, not the default ten.</summary>
    private static readonly string[] FastFlush = ["--EdgeFence:AnalyticsFlushSeconds=1", "--EdgeFence:LeaseTimeoutMs=5000"];

    [Fact]
    public async Task N_requests_through_a_real_edge_are_exactly_N_in_the_rollups_and_none_in_a_redis_stream()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString, edgeArgs: FastFlush);
        var demo = await stack.CreateDemoAsync(quotaUnits: 30);
        var other = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "globex" });

        var statuses = new Dictionary<HttpStatusCode, int>();
        async Task Send(string path, string? token)
        {
            using var response = await stack.Edge.GetAsync(path, token);
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
        }

        for (var i = 0; i < 40; i++)
        {
            await Send("/api/hello", demo.Token);
        }

        for (var i = 0; i < 6; i++)
        {
            await Send("/api/hello", other.Str("token"));
        }

        for (var i = 0; i < 5; i++)
        {
            await Send("/api/hello", null);
            await Send("/public/page", null);
        }

        Assert.Equal(30 + 6 + 5, statuses[HttpStatusCode.OK]);
        Assert.Equal(10, statuses[HttpStatusCode.TooManyRequests]);
        Assert.Equal(5, statuses[HttpStatusCode.Unauthorized]);

        // Shipped by the edge's own flush, while it runs.
        var totals = await WaitForRequestsAsync(stack.ControlPlane, $"/v1/analytics/totals?site={demo.SiteId}", 56);
        Assert.Equal(56, totals.GetProperty("requests").GetInt64());
        Assert.Equal(36, totals.GetProperty("allowed").GetInt64());
        Assert.Equal(15, totals.GetProperty("denied").GetInt64());
        Assert.Equal(5, totals.GetProperty("passthrough").GetInt64());
        Assert.Equal(36, totals.GetProperty("units").GetInt64());
        Assert.Equal(10, totals.GetProperty("deniedByReason").GetProperty("quota-exhausted").GetInt64());
        Assert.Equal(5, totals.GetProperty("deniedByReason").GetProperty("missing-token").GetInt64());
        Assert.Equal(2, totals.GetProperty("activeCustomers").GetInt64());

        var series = await stack.ControlPlane.GetAsync($"/v1/analytics/series?site={demo.SiteId}&step=60");
        Assert.True(series.Status == HttpStatusCode.OK, series.ToString());
        Assert.Equal(1440, series.Json.GetProperty("points").GetArrayLength());
        Assert.Equal(56, series.Json.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("requests").GetInt64()));
        Assert.Equal(36, series.Json.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("allowed").GetInt64()));

        var top = await stack.ControlPlane.GetAsync($"/v1/analytics/top-customers?site={demo.SiteId}");
        var items = top.Json.GetProperty("items");
        Assert.Equal("acme", items[0].GetProperty("customer").GetString());
        Assert.Equal(30, items[0].GetProperty("units").GetInt64());
        Assert.Equal(40, items[0].GetProperty("requests").GetInt64());
        Assert.Equal("globex", items[1].GetProperty("customer").GetString());
        Assert.Equal(6, items[1].GetProperty("units").GetInt64());

        var utilization = await stack.ControlPlane.GetAsync($"/v1/analytics/plans/{demo.PlanId}/utilization");
        Assert.True(utilization.Status == HttpStatusCode.OK, utilization.ToString());
        Assert.Equal(2, utilization.Json.GetProperty("tokens").GetInt32());
        Assert.Equal(1, utilization.Json.GetProperty("above80").GetInt32());
        Assert.Equal(0, utilization.Json.GetProperty("above100").GetInt32());
        Assert.Equal(demo.TokenId, utilization.Json.GetProperty("top")[0].GetProperty("tokenId").GetString());
        Assert.Equal(30, utilization.Json.GetProperty("top")[0].GetProperty("used").GetInt64());

        var customer = await stack.ControlPlane.GetAsync("/v1/analytics/customers/globex");
        Assert.Equal(6, customer.Json.GetProperty("totals").GetProperty("allowed").GetInt64());
        Assert.Equal(other.Str("id"), customer.Json.GetProperty("tokens")[0].GetProperty("tokenId").GetString());

        // The site stats answer from the rollups too.
        var stats = await stack.ControlPlane.GetAsync($"/v1/sites/{demo.SiteId}/stats");
        Assert.True(stats.Status == HttpStatusCode.OK, stats.ToString());
        Assert.Equal(56, stats.Json.GetProperty("requests").GetInt64());
        Assert.Equal(demo.TokenId, stats.Json.GetProperty("topTokens")[0].GetProperty("tokenId").GetString());

        // A stop ships nothing more: every decision was already counted once.
        await stack.Edge.StopAsync();
        totals = (await stack.ControlPlane.GetAsync($"/v1/analytics/totals?site={demo.SiteId}")).Json;
        Assert.Equal(56, totals.GetProperty("requests").GetInt64());

        // The decision stream is off by default: no XADD per request.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.False(await connection.GetDatabase().KeyExistsAsync("ef:{" + demo.SiteId + "}:decisions"));
    }

    [Fact]
    public async Task A_retried_batch_is_counted_once()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var minute = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000 - 60_000;
        var batch = new
        {
            edge = "edge-x",
            batch = "1765000000000-00000001",
            rows = new object[]
            {
                new { minute, site = "site_a", plan = "plan_a", resource = "/api/*", token = "tok_a", customer = "acme", decision = "allow", reason = "allowed", currency = "USD", requests = 7, units = 7, chargedMicros = 7000 },
                new { minute, site = "site_a", plan = "", resource = "", token = "", customer = "", decision = "deny", reason = "missing-token", currency = "", requests = 2, units = 0, chargedMicros = 0 },
            },
        };

        var first = await controlPlane.SendAsync(HttpMethod.Post, "/v1/analytics/rollups", batch, bearer: ControlPlaneHost.EdgeKey);
        var again = await controlPlane.SendAsync(HttpMethod.Post, "/v1/analytics/rollups", batch, bearer: ControlPlaneHost.EdgeKey);
        var otherEdge = await controlPlane.SendAsync(HttpMethod.Post, "/v1/analytics/rollups", new { batch.batch, edge = "edge-y", batch.rows }, bearer: ControlPlaneHost.EdgeKey);

        Assert.True(first.Status == HttpStatusCode.OK, first.ToString());
        Assert.Equal("applied", first.Str("status"));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("duplicate", again.Str("status"));
        Assert.Equal("applied", otherEdge.Str("status"));

        var totals = (await controlPlane.GetAsync("/v1/analytics/totals?site=site_a")).Json;
        Assert.Equal(18, totals.GetProperty("requests").GetInt64());
        Assert.Equal(14, totals.GetProperty("units").GetInt64());
        Assert.Equal(14_000, totals.GetProperty("revenueMicros").GetProperty("USD").GetInt64());

        // The edge key may post rollups and nothing else; no key is a 401; a bad row is a 400 naming it.
        var anonymous = await controlPlane.SendAsync(HttpMethod.Post, "/v1/analytics/rollups", batch, bearer: null);
        var edgeReads = await controlPlane.SendAsync(HttpMethod.Get, "/v1/analytics/totals", null, bearer: ControlPlaneHost.EdgeKey);
        var bad = await controlPlane.PostAsync("/v1/analytics/rollups", new { edge = "e", batch = "b", rows = new[] { new { minute = 123, site = "s", decision = "maybe", requests = 1 } } });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, edgeReads.Status);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal(["rows[0].minute", "rows[0].decision"], bad.ProblemFields());
    }

    [Fact]
    public async Task Control_plane_down_for_a_while_then_back_loses_nothing_and_counts_nothing_twice()
    {
        // A fixed port, so the restarted control plane is where the edge sends.
        await using var stack = await TestStack.StartAsync(edgeArgs: FastFlush, controlPlaneArgs: [$"--ControlPlane:Urls=http://127.0.0.1:{FreePort.Next()}"]);
        var demo = await stack.CreateDemoAsync(quotaUnits: 1000);
        for (var i = 0; i < 10; i++)
        {
            using var response = await stack.Edge.GetAsync("/api/hello", demo.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await WaitForRequestsAsync(stack.ControlPlane, $"/v1/analytics/totals?site={demo.SiteId}", 10);

        await stack.ControlPlane.StopAsync();
        for (var i = 0; i < 25; i++)
        {
            using var response = await stack.Edge.GetAsync("/api/hello", demo.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Several flushes fail meanwhile; the batches wait on the edge's disk.
        var spool = Path.Combine(stack.Edge.DataDir, "rollups");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.GetFiles(spool, "*.json").Length == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.NotEmpty(Directory.GetFiles(spool, "*.json"));
        await Task.Delay(2500);

        await stack.ControlPlane.RestartAsync();
        var totals = await WaitForRequestsAsync(stack.ControlPlane, $"/v1/analytics/totals?site={demo.SiteId}", 35);
        Assert.Equal(35, totals.GetProperty("units").GetInt64());

        // More flushes after the catch-up add nothing: every batch was applied exactly once.
        await Task.Delay(2500);
        await stack.Edge.StopAsync();
        Assert.Equal(35, (await stack.ControlPlane.GetAsync($"/v1/analytics/totals?site={demo.SiteId}")).Json.GetProperty("requests").GetInt64());
        Assert.Empty(Directory.GetFiles(spool, "*.json"));
    }

    [Fact]
    public async Task Batches_spooled_when_the_edge_stopped_with_the_control_plane_down_are_sent_after_both_restart()
    {
        await using var stack = await TestStack.StartAsync(edgeArgs: FastFlush, controlPlaneArgs: [$"--ControlPlane:Urls=http://127.0.0.1:{FreePort.Next()}"]);
        var demo = await stack.CreateDemoAsync(quotaUnits: 1000);
        await stack.ControlPlane.StopAsync();
        for (var i = 0; i < 12; i++)
        {
            using var response = await stack.Edge.GetAsync("/api/hello", demo.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The stop spools the last interval and cannot send it.
        await stack.Edge.StopAsync();
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(stack.Edge.DataDir, "rollups"), "*.json"));

        await stack.ControlPlane.RestartAsync();
        await stack.Edge.RestartAsync(null, [.. stack.EdgeArgs(), .. FastFlush]);
        var totals = await WaitForRequestsAsync(stack.ControlPlane, $"/v1/analytics/totals?site={demo.SiteId}", 12);
        Assert.Equal(12, totals.GetProperty("allowed").GetInt64());
    }

    [Fact]
    public async Task A_bad_range_or_step_is_a_400_naming_the_field()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var tooFine = await controlPlane.GetAsync("/v1/analytics/series?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&step=60");
        var odd = await controlPlane.GetAsync("/v1/analytics/series?step=90");
        var limit = await controlPlane.GetAsync("/v1/analytics/top-customers?limit=1000");
        var plan = await controlPlane.GetAsync("/v1/analytics/plans/plan_nope/utilization");

        Assert.Equal(["step"], tooFine.ProblemFields());
        Assert.Equal(["step"], odd.ProblemFields());
        Assert.Equal(["limit"], limit.ProblemFields());
        Assert.Equal(HttpStatusCode.NotFound, plan.Status);
    }

    /// <summary>Polls until the answer counts <paramref name="requests"/> (the edge flushes every second), then returns it.</summary>
    private static async Task<JsonElement> WaitForRequestsAsync(ControlPlaneHost controlPlane, string path, long requests)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await controlPlane.GetAsync(path);
            Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
            var json = response.Json;
            if (json.GetProperty("requests").GetInt64() >= requests || DateTime.UtcNow > deadline)
            {
                Assert.True(requests == json.GetProperty("requests").GetInt64(), $"expected {requests} requests: {response.Text}");
                return json;
            }

            await Task.Delay(200);
        }
    }
}
