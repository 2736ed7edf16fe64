using System.Diagnostics;
using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.DemoStripe;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary>
/// A failed subscription payment suspends the token at a real edge (402 <c>payment-overdue</c>) once the grace
/// period is over, and the next paid invoice lifts it; a stale failure does not undo a newer payment.
/// </summary>
public sealed class SuspensionTests
{
    [Fact]
    public async Task Without_grace_a_failed_payment_suspends_at_the_edge_and_the_next_paid_invoice_lifts_it()
    {
        await using var stack = await BillingStack.StartAsync(withEdge: true, controlPlaneArgs: ["--ControlPlane:Stripe:SuspendAfterHours=0"]);
        var paid = await stack.PaidCheckoutAsync(stack.ProPlanId);
        var claimed = await stack.ClaimAsync(paid.ClaimUrl);
        var token = claimed.Str("token");
        await AssertEdgeAsync(stack.Full!.Edge, token, HttpStatusCode.OK);

        var failedAt = LocalStripeApi.Now();
        var failed = await stack.Stripe.DeliverAsync(stack.Stripe.Invoice(paid.SubscriptionId, paid: false, created: failedAt));
        Assert.Equal((200, "payment-failure-suspended"), (failed.Status, BillingStack.Outcome(failed.Body)));
        var refused = await AssertEdgeAsync(stack.Full.Edge, token, HttpStatusCode.PaymentRequired);
        Assert.Contains("urn:edgefence:problem:payment-overdue", refused, StringComparison.Ordinal);
        Assert.NotEqual(JsonNull, (await stack.TokenAsync(claimed.Str("id"))).GetProperty("suspendedAt").ValueKind);

        // An older failure delivered late changes nothing; a newer paid invoice lifts the suspension.
        var lifted = await stack.Stripe.DeliverAsync(stack.Stripe.Invoice(paid.SubscriptionId, paid: true, created: failedAt + 10));
        Assert.Equal((200, "payment-recorded-unsuspended"), (lifted.Status, BillingStack.Outcome(lifted.Body)));
        var stale = await stack.Stripe.DeliverAsync(stack.Stripe.Invoice(paid.SubscriptionId, paid: false, created: failedAt + 5));
        Assert.Equal((200, "stale"), (stale.Status, BillingStack.Outcome(stale.Body)));
        await AssertEdgeAsync(stack.Full.Edge, token, HttpStatusCode.OK);
        Assert.Equal(JsonNull, (await stack.TokenAsync(claimed.Str("id"))).GetProperty("suspendedAt").ValueKind);
    }

    [Fact]
    public async Task With_grace_the_token_keeps_working_until_the_grace_period_is_over()
    {
        await using var stack = await BillingStack.StartAsync(withEdge: true,
            controlPlaneArgs: ["--ControlPlane:Stripe:SuspendAfterHours=1", "--ControlPlane:Stripe:SuspensionCheckSeconds=1"]);
        var paid = await stack.PaidCheckoutAsync(stack.ProPlanId);
        var token = (await stack.ClaimAsync(paid.ClaimUrl)).Str("token");

        var failed = await stack.Stripe.DeliverAsync(stack.Stripe.Invoice(paid.SubscriptionId, paid: false));
        Assert.Equal("payment-failure-recorded", BillingStack.Outcome(failed.Body));
        await Task.Delay(1500);
        await AssertEdgeAsync(stack.Full!.Edge, token, HttpStatusCode.OK);

        // The failure is now more than the hour of grace old: the next check suspends the token at the edge.
        DatabaseFile.Execute(stack.ControlPlane.DatabasePath,
            $"UPDATE stripe_subscriptions SET payment_failed_at_unix = payment_failed_at_unix - 3601 WHERE subscription_id = '{paid.SubscriptionId}'");
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            using var response = await stack.Full.Edge.GetAsync("/api/forecast", token);
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.PaymentRequired && clock.Elapsed < TimeSpan.FromSeconds(15));

        Assert.Equal(HttpStatusCode.PaymentRequired, status);
    }

    [Fact]
    public async Task A_grace_period_out_of_range_is_a_configuration_error()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => BillingStack.StartAsync(controlPlaneArgs: ["--ControlPlane:Stripe:SuspendAfterHours=-1"]));
        Assert.Contains("SuspendAfterHours", error.ToString(), StringComparison.Ordinal);
    }

    private const System.Text.Json.JsonValueKind JsonNull = System.Text.Json.JsonValueKind.Null;

    private static async Task<string> AssertEdgeAsync(EdgeHost edge, string token, HttpStatusCode expected)
    {
        using var response = await edge.GetAsync("/api/forecast", token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {body}");
        return body;
    }
}
