using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Api;

public sealed class StatsTests
{
    [Fact]
    public async Task Stats_count_what_a_real_edge_wrote_to_the_site_decision_stream()
    {
        await using var redis = await RedisServer.StartAsync();
        // A lease wait long enough for a busy test machine: with the default 100 ms a slow Redis answer counts as
        // Redis down, and the edge decides from local counts, which may refuse the second unit of this tiny quota.
        // The stream is off by default: this test turns it on at both ends (RollupTests cover the default).
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString, edgeArgs: ["--EdgeFence:LeaseTimeoutMs=5000", "--EdgeFence:DecisionLogRedisStream=true"], controlPlaneArgs: ["--ControlPlane:StatsSource=stream"]);
        var demo = await stack.CreateDemoAsync(quotaUnits: 2);
        var second = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "globex" });
        Assert.Equal(HttpStatusCode.Created, second.Status);

        var statuses = new List<HttpStatusCode>();
        foreach (var (path, token) in new[]
        {
            ("/api/hello", demo.Token), ("/api/hello", demo.Token), ("/api/hello", demo.Token),
            ("/api/hello", second.Str("token")), ("/api/hello", null), ("/public/page", null),
        })
        {
            using var response = await stack.Edge.GetAsync(path, token);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK], statuses);

        // A graceful stop writes every queued decision before it returns.
        await stack.Edge.StopAsync();
        var stats = await stack.ControlPlane.GetAsync($"/v1/sites/{demo.SiteId}/stats");

        Assert.True(stats.Status == HttpStatusCode.OK, stats.ToString());
        var json = stats.Json;
        Assert.Equal(demo.SiteId, json.GetProperty("siteId").GetString());
        Assert.Equal(6, json.GetProperty("requests").GetInt64());
        Assert.Equal(3, json.GetProperty("allowed").GetInt64());
        Assert.Equal(2, json.GetProperty("denied").GetInt64());
        Assert.Equal(1, json.GetProperty("passthrough").GetInt64());
        Assert.Equal(3, json.GetProperty("units").GetInt64());
        Assert.Equal(1, json.GetProperty("deniedByReason").GetProperty("quota-exhausted").GetInt64());
        Assert.Equal(1, json.GetProperty("deniedByReason").GetProperty("missing-token").GetInt64());
        Assert.Equal(2, json.GetProperty("deniedByReason").EnumerateObject().Count());
        Assert.False(json.GetProperty("truncated").GetBoolean());
        var top = json.GetProperty("topTokens");
        Assert.Equal(2, top.GetArrayLength());
        Assert.Equal(demo.TokenId, top[0].GetProperty("tokenId").GetString());
        Assert.Equal("acme", top[0].GetProperty("customer").GetString());
        Assert.Equal(2, top[0].GetProperty("units").GetInt64());
        Assert.Equal(3, top[0].GetProperty("requests").GetInt64());
        Assert.Equal(second.Str("id"), top[1].GetProperty("tokenId").GetString());
        Assert.Equal(1, top[1].GetProperty("units").GetInt64());
        var to = json.GetProperty("to").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(24), to - json.GetProperty("from").GetDateTimeOffset());
        Assert.InRange(DateTimeOffset.UtcNow - to, TimeSpan.Zero, TimeSpan.FromMinutes(1));

        // A range that ended before the requests sees none of them.
        var before = await stack.ControlPlane.GetAsync($"/v1/sites/{demo.SiteId}/stats?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z");
        Assert.True(before.Status == HttpStatusCode.OK, before.ToString());
        Assert.Equal(0, before.Json.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task A_bad_range_is_a_400_naming_the_field()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });
        var id = site.Str("id");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var reversed = await controlPlane.GetAsync($"/v1/sites/{id}/stats?from={now - 1000}&to={now - 1000}");
        var tooLong = await controlPlane.GetAsync($"/v1/sites/{id}/stats?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z");
        var future = await controlPlane.GetAsync($"/v1/sites/{id}/stats?to={now + 3_600_000}");
        var garbage = await controlPlane.GetAsync($"/v1/sites/{id}/stats?from=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, reversed.Status);
        Assert.Equal(["from"], reversed.ProblemFields());
        Assert.Equal(["from"], tooLong.ProblemFields());
        Assert.Equal(["to"], future.ProblemFields());
        Assert.Equal(["from"], garbage.ProblemFields());
    }

    [Fact]
    public async Task Without_redis_stream_stats_are_a_404_problem_and_an_unknown_site_is_not_found()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync(null, "--ControlPlane:StatsSource=stream");
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });

        var stats = await controlPlane.GetAsync($"/v1/sites/{site.Str("id")}/stats");
        var unknown = await controlPlane.GetAsync("/v1/sites/site_nope/stats");
        var anonymous = await controlPlane.SendAsync(HttpMethod.Get, $"/v1/sites/{site.Str("id")}/stats", null, bearer: null);

        Assert.Equal(HttpStatusCode.NotFound, stats.Status);
        Assert.Equal("urn:edgefence:problem:stats-unavailable", stats.Str("type"));
        Assert.Contains("ControlPlane:Redis", stats.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("urn:edgefence:problem:not-found", unknown.Str("type"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
    }

    [Fact]
    public async Task Redis_down_is_a_503_problem()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var controlPlane = await ControlPlaneHost.StartAsync(null, $"--ControlPlane:Redis={redis.ConnectionString}", "--ControlPlane:StatsSource=stream");
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });
        await redis.StopAsync();

        var stats = await controlPlane.GetAsync($"/v1/sites/{site.Str("id")}/stats");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, stats.Status);
        Assert.Equal("urn:edgefence:problem:stats-unavailable", stats.Str("type"));
    }
}
