using System.Net;
using EdgeFence.DemoStripe;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary>From checkout to a working token at a real edge, and what Stripe's later events do to it.</summary>
public sealed class SubscriptionLifecycleTests
{
    [Fact]
    public async Task Checkout_webhook_and_claim_give_a_token_the_edge_accepts_and_the_claim_works_once()
    {
        await using var stack = await BillingStack.StartAsync(withEdge: true);
        var paid = await stack.PaidCheckoutAsync(stack.StarterPlanId);
        var tokenId = stack.TokenIdOf(paid.SubscriptionId);

        // Provisioned but not claimed: the entitlement exists, no token string does, so the snapshot carries no hash for it.
        Assert.Equal("0", stack.Scalar($"SELECT COUNT(*) FROM token_hashes WHERE token_id = '{tokenId}'"));

        var claim = await stack.ClaimAsync(paid.ClaimUrl);
        Assert.True(claim.Status == HttpStatusCode.OK, claim.ToString());
        Assert.Equal(tokenId, claim.Str("id"));
        Assert.Equal(stack.StarterPlanId, claim.Str("planId"));
        Assert.Equal("cust-ada", claim.Str("customer"));
        Assert.Equal("no-store", claim.Headers.CacheControl?.ToString());
        var token = claim.Str("token");

        // The claim answered after the edges took the snapshot: the token works at once, on Starter's 2 units.
        var edge = stack.Full!.Edge;
        using (var first = await edge.GetAsync("/api/forecast", token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        Assert.Equal("cust-ada", stack.Full.Origin.Last.Header("X-EdgeFence-Customer"));
        Assert.Equal(stack.StarterPlanId, stack.Full.Origin.Last.Header("X-EdgeFence-Plan"));

        var again = await stack.ClaimAsync(paid.ClaimUrl);
        Assert.Equal(HttpStatusCode.Gone, again.Status);
        Assert.Equal("urn:edgefence:problem:claim-used", again.Str("type"));
        Assert.DoesNotContain(token, again.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_change_in_stripe_migrates_the_token_and_cancellation_revokes_it_at_the_edge()
    {
        await using var stack = await BillingStack.StartAsync(withEdge: true);
        var paid = await stack.PaidCheckoutAsync(stack.StarterPlanId);
        var token = (await stack.ClaimAsync(paid.ClaimUrl)).Str("token");
        var edge = stack.Full!.Edge;
        await AssertEdge(edge, token, HttpStatusCode.OK);
        await AssertEdge(edge, token, HttpStatusCode.OK);
        await AssertEdge(edge, token, HttpStatusCode.TooManyRequests);

        // Upgrade to Pro (5 units): the token moves, keeps its 2 used units, and gets 3 more.
        var upgraded = await stack.Stripe.DeliverAsync(stack.Stripe.ChangePrice(paid.SubscriptionId, await stack.PriceIdAsync(stack.ProPlanId)));
        Assert.True(upgraded.Status == 200, upgraded.Body);
        Assert.Equal("migrated", BillingStack.Outcome(upgraded.Body));
        await AssertEdge(edge, token, HttpStatusCode.OK);
        Assert.Equal(stack.ProPlanId, stack.Full.Origin.Last.Header("X-EdgeFence-Plan"));

        var canceled = await stack.Stripe.DeliverAsync(stack.Stripe.Cancel(paid.SubscriptionId));
        Assert.True(canceled.Status == 200, canceled.Body);
        Assert.Equal("revoked", BillingStack.Outcome(canceled.Body));
        using var refused = await edge.GetAsync("/api/forecast", token);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("token-revoked", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task AssertEdge(EdgeFence.Edge.Tests.Infrastructure.EdgeHost edge, string token, HttpStatusCode expected)
    {
        using var response = await edge.GetAsync("/api/forecast", token);
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
