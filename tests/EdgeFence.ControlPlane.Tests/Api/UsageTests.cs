using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;

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
}
