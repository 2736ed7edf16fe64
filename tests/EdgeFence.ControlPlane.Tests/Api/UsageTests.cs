using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Api;

public sealed class UsageTests
{
    [Fact]
    public async Task Usage_without_redis_is_an_honest_404_problem_not_made_up_numbers()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });
        var plan = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "P" });
        var token = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/tokens", new { planId = plan.Str("id"), customer = "c" });

        var usage = await controlPlane.GetAsync($"/v1/tokens/{token.Str("id")}/usage");
        var unknown = await controlPlane.GetAsync("/v1/tokens/tok_nope/usage");

        Assert.Equal(HttpStatusCode.NotFound, usage.Status);
        Assert.Equal("urn:edgefence:problem:usage-unavailable", usage.Str("type"));
        Assert.Contains("ControlPlane:Redis", usage.Str("detail"), StringComparison.Ordinal);
        Assert.False(usage.Json.TryGetProperty("used", out _));
        Assert.Equal("urn:edgefence:problem:not-found", unknown.Str("type"));
    }

    [Fact]
    public async Task Usage_is_what_a_real_edge_wrote_to_the_redis_ledger_for_this_month()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString);
        var demo = await stack.CreateDemoAsync(quotaUnits: 10);
        await SendAllowedAsync(stack, demo, 3);

        var usage = await WaitForUsedAsync(stack, demo.TokenId, 3);

        Assert.Equal(demo.TokenId, usage.GetProperty("tokenId").GetString());
        Assert.Equal(demo.PlanId, usage.GetProperty("planId").GetString());
        Assert.Equal(10, usage.GetProperty("quota").GetInt64());
        Assert.Equal("hard", usage.GetProperty("mode").GetString());
        Assert.Equal(7, usage.GetProperty("remaining").GetInt64());
        Assert.Equal(0, usage.GetProperty("overage").GetInt64());
        Assert.Equal("""{"edge-a":3}""", usage.GetProperty("byEdge").GetRawText());
        var now = DateTimeOffset.UtcNow;
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(monthStart, usage.GetProperty("period").GetProperty("start").GetDateTimeOffset());
        Assert.Equal(monthStart.AddMonths(1), usage.GetProperty("period").GetProperty("end").GetDateTimeOffset());

        // Last month's ledger is empty: nothing was admitted then.
        var previous = await stack.ControlPlane.GetAsync($"/v1/tokens/{demo.TokenId}/usage?period=previous");
        Assert.Equal(HttpStatusCode.OK, previous.Status);
        Assert.Equal(0, previous.Json.GetProperty("used").GetInt64());
        Assert.Equal(monthStart.AddMonths(-1), previous.Json.GetProperty("period").GetProperty("start").GetDateTimeOffset());
        Assert.Equal(monthStart, previous.Json.GetProperty("period").GetProperty("end").GetDateTimeOffset());
        var bad = await stack.ControlPlane.GetAsync($"/v1/tokens/{demo.TokenId}/usage?period=last");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }

    [Fact]
    public async Task Soft_quota_usage_reports_the_overage()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString);
        var demo = await stack.CreateDemoAsync(quotaUnits: 2, quotaMode: "soft");
        await SendAllowedAsync(stack, demo, 4);

        var usage = await WaitForUsedAsync(stack, demo.TokenId, 4);

        Assert.Equal("soft", usage.GetProperty("mode").GetString());
        Assert.Equal(2, usage.GetProperty("quota").GetInt64());
        Assert.Equal(0, usage.GetProperty("remaining").GetInt64());
        Assert.Equal(2, usage.GetProperty("overage").GetInt64());
    }

    [Fact]
    public async Task Redis_down_is_a_503_problem_not_a_500()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString);
        var demo = await stack.CreateDemoAsync();
        await redis.StopAsync();

        var usage = await stack.ControlPlane.GetAsync($"/v1/tokens/{demo.TokenId}/usage");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, usage.Status);
        Assert.Equal("urn:edgefence:problem:usage-unavailable", usage.Str("type"));
        Assert.Contains("Redis", usage.Str("detail"), StringComparison.Ordinal);
    }

    private static async Task SendAllowedAsync(TestStack stack, DemoConfig demo, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await stack.Edge.GetAsync("/api/hello", demo.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>The edge pushes its counts every 50 ms; polls until the ledger shows <paramref name="used"/>.</summary>
    private static async Task<JsonElement> WaitForUsedAsync(TestStack stack, string tokenId, long used)
    {
        var clock = Stopwatch.StartNew();
        ApiResponse usage;
        do
        {
            usage = await stack.ControlPlane.GetAsync($"/v1/tokens/{tokenId}/usage");
            Assert.True(usage.Status == HttpStatusCode.OK, usage.ToString());
            if (usage.Json.GetProperty("used").GetInt64() == used)
            {
                return usage.Json;
            }

            await Task.Delay(50);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Fail($"used never reached {used} in 10 s: {usage}");
        return default;
    }
}
