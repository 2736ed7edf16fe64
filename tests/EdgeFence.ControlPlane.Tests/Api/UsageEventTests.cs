using System.Diagnostics;
using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Infrastructure;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Tests.Api;

/// <summary>
/// <c>POST /v1/usage-events</c> against a real control plane, a real redis-server and a real edge: reported usage
/// counts once per key, lands in the ledger the edges count from, and is enforced there like admitted requests.
/// </summary>
public sealed class UsageEventTests
{
    [Fact]
    public async Task An_event_counts_once_per_key_and_the_edge_enforces_the_quota_it_used()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString);
        var demo = await stack.CreateDemoAsync(quotaUnits: 10);
        var body = new { tokenId = demo.TokenId, metric = "units", quantity = 8, idempotencyKey = "job-1" };

        var first = await stack.ControlPlane.PostAsync("/v1/usage-events", body);
        var replay = await stack.ControlPlane.PostAsync("/v1/usage-events", body);
        var reused = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, quantity = 9, idempotencyKey = "job-1" });

        Assert.True(first.Status == HttpStatusCode.Created, first.ToString());
        Assert.Equal(8, first.Json.GetProperty("units").GetInt64());
        Assert.Equal(8, first.Json.GetProperty("periodUnits").GetInt64());
        Assert.Equal("acme", first.Str("customer"));
        Assert.Equal(HttpStatusCode.Created, replay.Status);
        Assert.Equal(first.Str("id"), replay.Str("id"));
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(HttpStatusCode.Conflict, reused.Status);
        Assert.Equal("urn:edgefence:problem:idempotency-key-reused", reused.Str("type"));

        // The ledger holds the 8 units once, in the control plane's own field, next to the edges' u:<node> fields.
        var usage = await stack.ControlPlane.GetAsync($"/v1/tokens/{demo.TokenId}/usage");
        Assert.True(usage.Status == HttpStatusCode.OK, usage.ToString());
        Assert.Equal(8, usage.Json.GetProperty("used").GetInt64());
        Assert.Equal(8, usage.Json.GetProperty("byEdge").GetProperty("cp:usage-events").GetInt64());

        // The edge leases only what is left of the hard quota of 10: two calls, then 429.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await stack.Edge.GetAsync("/api/hello", demo.Token);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(2, stack.Origin.Requests.Count);
    }

    [Fact]
    public async Task A_resource_metric_counts_its_cost_and_the_customer_names_the_token()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString);
        var demo = await stack.CreateDemoAsync(quotaUnits: 1000);
        var render = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/resources", new { pattern = "/render/*", cost = 5 });
        Assert.True(render.Status == HttpStatusCode.Created, render.ToString());

        var byCustomer = await stack.ControlPlane.PostAsync("/v1/usage-events",
            new { customer = "acme", siteId = demo.SiteId, metric = render.Str("id"), quantity = 3, idempotencyKey = "r-1" });
        var units = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, quantity = 4, idempotencyKey = "u-1" });

        Assert.True(byCustomer.Status == HttpStatusCode.Created, byCustomer.ToString());
        Assert.Equal(demo.TokenId, byCustomer.Str("tokenId"));
        Assert.Equal(15, byCustomer.Json.GetProperty("units").GetInt64());
        Assert.Equal(19, units.Json.GetProperty("periodUnits").GetInt64());
        Assert.Equal(19, await LedgerFieldAsync(redis, demo, byCustomer));

        // A second active token makes the customer ambiguous: the caller must say which.
        var second = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "acme" });
        Assert.Equal(HttpStatusCode.Created, second.Status);
        var ambiguous = await stack.ControlPlane.PostAsync("/v1/usage-events", new { customer = "acme", siteId = demo.SiteId, quantity = 1, idempotencyKey = "a-1" });
        Assert.Equal(HttpStatusCode.Conflict, ambiguous.Status);
        Assert.Equal("urn:edgefence:problem:ambiguous-customer", ambiguous.Str("type"));
    }

    [Fact]
    public async Task An_origin_key_reports_for_its_own_site_only()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString);
        var demo = await stack.CreateDemoAsync();
        var other = await stack.ControlPlane.PostAsync("/v1/sites", new { name = "Other", slug = "other", originUrl = "http://127.0.0.1:9" });
        var otherPlan = await stack.ControlPlane.PostAsync($"/v1/sites/{other.Str("id")}/plans", new { name = "P" });
        var otherToken = await stack.ControlPlane.PostAsync($"/v1/sites/{other.Str("id")}/tokens", new { planId = otherPlan.Str("id"), customer = "zed" });

        var own = await stack.ControlPlane.SendAsync(HttpMethod.Post, "/v1/usage-events", new { tokenId = demo.TokenId, quantity = 2, idempotencyKey = "o-1" }, demo.OriginKey);
        var foreign = await stack.ControlPlane.SendAsync(HttpMethod.Post, "/v1/usage-events", new { tokenId = otherToken.Str("id"), quantity = 2, idempotencyKey = "o-2" }, demo.OriginKey);
        var wrong = await stack.ControlPlane.SendAsync(HttpMethod.Post, "/v1/usage-events", new { tokenId = demo.TokenId, quantity = 2, idempotencyKey = "o-3" }, "not-a-key");
        var notHere = await stack.ControlPlane.SendAsync(HttpMethod.Get, $"/v1/tokens/{demo.TokenId}/usage", null, demo.OriginKey);

        Assert.True(own.Status == HttpStatusCode.Created, own.ToString());
        Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, notHere.Status);
    }

    [Fact]
    public async Task Bad_events_are_400s_naming_each_field_and_write_nothing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString);
        var demo = await stack.CreateDemoAsync();

        var empty = await stack.ControlPlane.PostAsync("/v1/usage-events", new { });
        var fractional = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, quantity = 1.5m, idempotencyKey = "b-1" });
        var both = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, customer = "acme", siteId = demo.SiteId, quantity = 1, idempotencyKey = "b-2" });
        var unknownMetric = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, metric = "gpu-seconds", quantity = 1, idempotencyKey = "b-3" });
        var future = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, quantity = 1, idempotencyKey = "b-4", timestamp = DateTimeOffset.UtcNow.AddHours(1) });
        var ancient = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, quantity = 1, idempotencyKey = "b-5", timestamp = DateTimeOffset.UtcNow.AddMonths(-3) });
        var huge = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, quantity = 10_000_000_000L, idempotencyKey = "b-6" });
        var unknownToken = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = "tok_nope", quantity = 1, idempotencyKey = "b-7" });
        var misspelt = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, quantiy = 1, idempotencyKey = "b-8" });

        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Contains("tokenId", empty.ProblemFields());
        Assert.Contains("quantity", empty.ProblemFields());
        Assert.Contains("idempotencyKey", empty.ProblemFields());
        Assert.Equal(["quantity"], fractional.ProblemFields());
        Assert.Equal(["customer"], both.ProblemFields());
        Assert.Equal(HttpStatusCode.BadRequest, unknownMetric.Status);
        Assert.Contains("gpu-seconds", unknownMetric.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, future.Status);
        Assert.Contains("future", future.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, ancient.Status);
        Assert.Contains("previous billing period", ancient.Text, StringComparison.Ordinal);
        Assert.Equal(["quantity"], huge.ProblemFields());
        Assert.Equal(HttpStatusCode.NotFound, unknownToken.Status);
        Assert.Equal(HttpStatusCode.BadRequest, misspelt.Status);

        var usage = await stack.ControlPlane.GetAsync($"/v1/tokens/{demo.TokenId}/usage");
        Assert.Equal(0, usage.Json.GetProperty("used").GetInt64());
    }

    [Fact]
    public async Task Without_redis_there_is_no_ledger_to_count_into_and_the_answer_says_so()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });
        var plan = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "P" });
        var token = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/tokens", new { planId = plan.Str("id"), customer = "c" });

        var answer = await controlPlane.PostAsync("/v1/usage-events", new { tokenId = token.Str("id"), quantity = 1, idempotencyKey = "k" });

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("urn:edgefence:problem:usage-unavailable", answer.Str("type"));
    }

    [Fact]
    public async Task An_event_recorded_while_redis_is_down_reaches_the_ledger_when_it_is_back()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString);
        var demo = await stack.CreateDemoAsync();
        await redis.StopAsync();

        var recorded = await stack.ControlPlane.PostAsync("/v1/usage-events", new { tokenId = demo.TokenId, quantity = 7, idempotencyKey = "down-1" });
        Assert.True(recorded.Status == HttpStatusCode.Created, recorded.ToString());

        await redis.RestartAsync();
        var clock = Stopwatch.StartNew();
        long field;
        do
        {
            await Task.Delay(100);
            field = await LedgerFieldAsync(redis, demo, recorded);
        }
        while (field != 7 && clock.Elapsed < TimeSpan.FromSeconds(20));

        Assert.Equal(7, field);
    }

    /// <summary>The control plane's field of the token's ledger hash for the event's period, read from Redis itself.</summary>
    private static async Task<long> LedgerFieldAsync(RedisServer redis, DemoConfig demo, ApiResponse usageEvent)
    {
        var periodStart = usageEvent.Json.GetProperty("periodStart").GetDateTimeOffset().ToUnixTimeMilliseconds();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",abortConnect=false,connectTimeout=500");
        var value = await connection.GetDatabase().HashGetAsync($"ef:{{{demo.SiteId}:{demo.TokenId}}}:q:{periodStart}", "u:cp:usage-events");
        return value.IsNull ? 0 : (long)value;
    }
}
