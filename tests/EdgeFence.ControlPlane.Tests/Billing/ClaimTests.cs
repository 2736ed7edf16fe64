using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary><c>POST /claims?code=…</c>: the token once, only once paid, never after expiry or cancellation.</summary>
public sealed class ClaimTests
{
    [Fact]
    public async Task Claim_before_the_webhook_asks_stripe_and_provisions_once_with_the_later_webhook()
    {
        await using var stack = await BillingStack.StartAsync();
        var checkout = await stack.CheckoutAsync(stack.StarterPlanId);
        var claimUrl = checkout.Str("claimUrl");

        var unpaid = await stack.ClaimAsync(claimUrl);
        Assert.Equal(HttpStatusCode.Conflict, unpaid.Status);
        Assert.Equal("urn:edgefence:problem:checkout-not-completed", unpaid.Str("type"));

        // Paid, but the webhook is late: the success page's claim provisions from Stripe's own view of the session.
        stack.Stripe.Pay(checkout.Str("sessionId"));
        var claimed = await stack.ClaimAsync(claimUrl);
        Assert.True(claimed.Status == HttpStatusCode.OK, claimed.ToString());
        var late = await stack.Stripe.DeliverAsync(stack.Stripe.CheckoutCompleted(checkout.Str("sessionId")));

        Assert.Equal((200, "already-provisioned"), (late.Status, BillingStack.Outcome(late.Body)));
        Assert.Equal(1, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "tokens"));
        Assert.Equal(claimed.Str("id"), stack.Scalar("SELECT token_id FROM stripe_subscriptions"));
    }

    [Fact]
    public async Task Expired_unknown_and_canceled_claims_are_refused_without_a_token()
    {
        await using var stack = await BillingStack.StartAsync();
        var expiring = await stack.PaidCheckoutAsync(stack.StarterPlanId);
        var canceling = await stack.PaidCheckoutAsync(stack.ProPlanId);
        DatabaseFile.Execute(stack.ControlPlane.DatabasePath, $"UPDATE stripe_checkouts SET claim_expires_at_unix = {DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1} WHERE id = '{expiring.CheckoutId}'");
        Assert.Equal("revoked", BillingStack.Outcome((await stack.Stripe.DeliverAsync(stack.Stripe.Cancel(canceling.SubscriptionId))).Body));

        var expired = await stack.ClaimAsync(expiring.ClaimUrl);
        var canceled = await stack.ClaimAsync(canceling.ClaimUrl);
        var unknown = await stack.ClaimAsync(stack.ControlPlane.Url + "/claims?code=efc_00000000000000000000000000000000");
        var huge = await stack.ClaimAsync(stack.ControlPlane.Url + "/claims?code=" + new string('a', 5000));
        using var client = new HttpClient();
        using var get = await client.GetAsync(expiring.ClaimUrl);

        Assert.Equal((HttpStatusCode.Gone, "urn:edgefence:problem:claim-expired"), (expired.Status, expired.Str("type")));
        Assert.Equal((HttpStatusCode.Gone, "urn:edgefence:problem:subscription-ended"), (canceled.Status, canceled.Str("type")));
        Assert.Equal((HttpStatusCode.NotFound, "urn:edgefence:problem:claim-not-found"), (unknown.Status, unknown.Str("type")));
        Assert.Equal(HttpStatusCode.NotFound, huge.Status);
        Assert.NotEqual(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "token_hashes"));
        Assert.Null(stack.Scalar("SELECT id FROM stripe_checkouts WHERE claimed_at_unix IS NOT NULL"));
    }

    [Fact]
    public async Task Claimed_token_is_never_in_the_database_the_log_or_anything_sent_to_stripe()
    {
        await using var stack = await BillingStack.StartAsync();
        var paid = await stack.PaidCheckoutAsync(stack.StarterPlanId);
        var claimed = await stack.ClaimAsync(paid.ClaimUrl);
        Assert.Equal(HttpStatusCode.OK, claimed.Status);
        var token = claimed.Str("token");
        var code = paid.ClaimUrl[(paid.ClaimUrl.IndexOf('=', StringComparison.Ordinal) + 1)..];

        // EdgeFence's own lines, with their scopes (which carry the request path, not the query). ASP.NET Core's "request
        // starting" lines (Microsoft.AspNetCore, captured here at Trace) show the query; the control plane keeps that category at Warning.
        var ownLog = string.Join('\n', stack.ControlPlane.Logs.Lines.Where(l => !l.Split(' ')[1].StartsWith("Microsoft.", StringComparison.Ordinal)));
        var database = DatabaseFile.AllBytes(stack.ControlPlane.DatabasePath);
        foreach (var secret in new[] { token, code })
        {
            Assert.True(database.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) < 0, "a secret is in the database");
            Assert.DoesNotContain(secret, ownLog, StringComparison.Ordinal);
            Assert.DoesNotContain(stack.Stripe.Calls, c => c.Form.Values.Any(v => v.Contains(secret, StringComparison.Ordinal)) || c.Path.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(stack.Stripe.SentEvents, e => e.Contains(secret, StringComparison.Ordinal));
        }

        // The search can find what is there: the token's hash is in the database, and the log names the token id.
        Assert.True(database.AsSpan().IndexOf(EdgeFence.Core.Security.TokenHasher.Hash(token)) >= 0, "the token's hash is in the database");
        Assert.Contains(claimed.Str("id"), ownLog, StringComparison.Ordinal);
        Assert.DoesNotContain(token, stack.ControlPlane.Logs.All, StringComparison.Ordinal);
    }
}
