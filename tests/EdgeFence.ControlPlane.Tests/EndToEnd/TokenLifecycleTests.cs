using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Security;

namespace EdgeFence.ControlPlane.Tests.EndToEnd;

/// <summary>Tokens from the API to the edge and back: issue, use, revoke, rotate, plan changes.</summary>
public sealed class TokenLifecycleTests
{
    [Fact]
    public async Task Token_created_through_the_api_is_allowed_by_the_edge_with_a_signature_the_origin_can_verify()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();

        // No wait and no retry: the creation answered once the edge had the snapshot.
        using var response = await stack.Edge.GetAsync("/api/hello", demo.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = stack.Origin.Last;
        Assert.Equal(demo.TokenId, seen.Header("X-EdgeFence-Token-Id"));
        Assert.Equal("acme", seen.Header("X-EdgeFence-Customer"));
        Assert.Equal(demo.PlanId, seen.Header("X-EdgeFence-Plan"));

        // The secret shown at creation, as a UTF-8 string, is the HMAC key the edge signs with.
        Assert.True(RequestSigner.Verify(
            Encoding.UTF8.GetBytes(demo.HmacSecret), seen.Header("X-EdgeFence-Signature"), DateTimeOffset.UtcNow, RequestSigner.DefaultTolerance,
            "GET", seen.RawTarget, demo.TokenId, "acme", demo.PlanId, seen.Header("X-EdgeFence-Request-Id")!));
    }

    [Fact]
    public async Task Revoked_token_is_refused_by_the_edge_within_one_second_of_the_delete_returning()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        using (var before = await stack.Edge.GetAsync("/api/hello", demo.Token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var revoke = await stack.ControlPlane.DeleteAsync($"/v1/tokens/{demo.TokenId}");
        var sinceReturn = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, revoke.Status);

        HttpStatusCode status;
        string body;
        do
        {
            using var response = await stack.Edge.GetAsync("/api/hello", demo.Token);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync();
        }
        while (status == HttpStatusCode.OK && sinceReturn.Elapsed < TimeSpan.FromSeconds(1) && await Delay());

        Assert.True(status == HttpStatusCode.Forbidden, $"{status} {sinceReturn.ElapsedMilliseconds} ms after the DELETE returned: {body}");
        Assert.True(sinceReturn.Elapsed < TimeSpan.FromSeconds(1), $"refused only after {sinceReturn.ElapsedMilliseconds} ms");
        Assert.Contains("token-revoked", body, StringComparison.Ordinal);
        var token = await stack.ControlPlane.GetAsync($"/v1/tokens/{demo.TokenId}");
        Assert.True(token.Json.GetProperty("revoked").GetBoolean());

        static async Task<bool> Delay()
        {
            await Task.Delay(20);
            return true;
        }
    }

    [Fact]
    public async Task Rotated_token_keeps_its_usage_and_the_old_one_works_only_for_its_grace()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync(quotaUnits: 4);
        await AssertStatus(stack, demo.Token, HttpStatusCode.OK);
        await AssertStatus(stack, demo.Token, HttpStatusCode.OK);

        // Default grace (an hour): both work, and they draw on one quota because they share the token id.
        var second = await stack.ControlPlane.PostAsync($"/v1/tokens/{demo.TokenId}/rotate", null);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(demo.TokenId, second.Str("id"));
        Assert.NotEqual(demo.Token, second.Str("token"));
        var previousEnds = second.Json.GetProperty("previousTokenExpiresAt").GetDateTimeOffset();
        Assert.InRange(previousEnds - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        await AssertStatus(stack, demo.Token, HttpStatusCode.OK);
        await AssertStatus(stack, second.Str("token"), HttpStatusCode.OK);

        // Grace 0: every earlier string ends now; the newest carries on with the quota already used (4 of 4).
        var third = await stack.ControlPlane.PostAsync($"/v1/tokens/{demo.TokenId}/rotate", new { graceSeconds = 0 });
        Assert.Equal(HttpStatusCode.OK, third.Status);
        await AssertStatus(stack, demo.Token, HttpStatusCode.Forbidden);
        await AssertStatus(stack, second.Str("token"), HttpStatusCode.Forbidden);
        await AssertStatus(stack, third.Str("token"), HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Rotating_a_revoked_token_gets_409_and_issues_nothing()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await stack.ControlPlane.DeleteAsync($"/v1/tokens/{demo.TokenId}")).Status);
        var version = await stack.ControlPlane.SnapshotVersionAsync();

        var rotate = await stack.ControlPlane.PostAsync($"/v1/tokens/{demo.TokenId}/rotate", null);

        Assert.Equal(HttpStatusCode.Conflict, rotate.Status);
        Assert.Equal("urn:edgefence:problem:token-revoked", rotate.Str("type"));
        Assert.Equal(version, await stack.ControlPlane.SnapshotVersionAsync());
    }

    [Fact]
    public async Task Plan_update_keeps_existing_tokens_on_their_terms_until_they_are_migrated()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync(quotaUnits: 1);
        await AssertStatus(stack, demo.Token, HttpStatusCode.OK);
        await AssertStatus(stack, demo.Token, HttpStatusCode.TooManyRequests);

        var update = await stack.ControlPlane.PatchAsync($"/v1/plans/{demo.PlanId}", new { quota = new { units = 3 } });
        Assert.Equal(HttpStatusCode.OK, update.Status);
        Assert.Equal(2, update.Json.GetProperty("revision").GetInt64());
        Assert.Equal(3, update.Json.GetProperty("quota").GetProperty("units").GetInt64());

        // The existing token is still on revision 1 (1 unit); a new one gets the new terms.
        await AssertStatus(stack, demo.Token, HttpStatusCode.TooManyRequests);
        var newer = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "globex" });
        Assert.Equal(2, newer.Json.GetProperty("planRevision").GetInt64());
        await AssertStatus(stack, newer.Str("token"), HttpStatusCode.OK);
        Assert.Equal(demo.PlanId + ".r2", stack.Origin.Last.Header("X-EdgeFence-Plan"));

        var migrate = await stack.ControlPlane.PostAsync($"/v1/plans/{demo.PlanId}/migrate", new { toPlanId = demo.PlanId });
        Assert.Equal(HttpStatusCode.OK, migrate.Status);
        Assert.Equal(1, migrate.Json.GetProperty("migrated").GetInt32());
        Assert.Equal(2, (await stack.ControlPlane.GetAsync($"/v1/tokens/{demo.TokenId}")).Json.GetProperty("planRevision").GetInt64());

        // Migrated: 1 of 3 units used, so two more.
        await AssertStatus(stack, demo.Token, HttpStatusCode.OK);
        await AssertStatus(stack, demo.Token, HttpStatusCode.OK);
        await AssertStatus(stack, demo.Token, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Migrating_to_a_plan_of_another_site_gets_400_naming_toPlanId()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        var other = await stack.ControlPlane.PostAsync("/v1/sites", new { name = "Other", slug = "other", originUrl = stack.Origin.Url });
        var otherPlan = await stack.ControlPlane.PostAsync($"/v1/sites/{other.Str("id")}/plans", new { name = "Other" });

        var migrate = await stack.ControlPlane.PostAsync($"/v1/plans/{demo.PlanId}/migrate", new { toPlanId = otherPlan.Str("id") });

        Assert.Equal(HttpStatusCode.BadRequest, migrate.Status);
        Assert.Equal("toPlanId", migrate.Str("field"));
        Assert.Equal(demo.PlanId, (await stack.ControlPlane.GetAsync($"/v1/tokens/{demo.TokenId}")).Str("planId"));
    }

    [Fact]
    public async Task Deleted_site_is_no_longer_served_by_the_edge()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        await AssertStatus(stack, demo.Token, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.NoContent, (await stack.ControlPlane.DeleteAsync($"/v1/sites/{demo.SiteId}")).Status);

        await AssertStatus(stack, demo.Token, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await stack.ControlPlane.GetAsync($"/v1/tokens/{demo.TokenId}")).Status);
        using var snapshot = JsonDocument.Parse(await stack.Edge.Admin.GetStringAsync("/v1/snapshot"));
        Assert.Equal(0, snapshot.RootElement.GetProperty("sites").GetInt32());
    }

    private static async Task AssertStatus(TestStack stack, string token, HttpStatusCode expected)
    {
        using var response = await stack.Edge.GetAsync("/api/hello", token);
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
