using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary><c>POST /v1/sites/{id}/checkout</c> through Stripe.net to the local Stripe API.</summary>
public sealed class CheckoutTests
{
    [Fact]
    public async Task Checkout_creates_a_subscription_session_carrying_our_ids_and_answers_its_url_and_a_claim_url()
    {
        await using var stack = await BillingStack.StartAsync();

        var checkout = await stack.CheckoutAsync(stack.StarterPlanId);

        Assert.True(checkout.Status == HttpStatusCode.Created, checkout.ToString());
        var checkoutId = checkout.Str("checkoutId");
        var session = stack.Stripe.Object(checkout.Str("sessionId"));
        Assert.Equal((string?)session["url"], checkout.Str("url"));
        Assert.StartsWith(stack.ControlPlane.Url + "/claims?code=efc_", checkout.Str("claimUrl"), StringComparison.Ordinal);
        Assert.InRange(checkout.Json.GetProperty("claimExpiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromHours(71), TimeSpan.FromHours(73));

        var call = stack.Stripe.Calls.Single(c => c.Path == "/v1/checkout/sessions");
        Assert.Equal("subscription", call.Form["mode"]);
        Assert.Equal(await stack.PriceIdAsync(stack.StarterPlanId), call.Form["line_items[0][price]"]);
        Assert.Equal("1", call.Form["line_items[0][quantity]"]);
        Assert.Equal("ada@example.com", call.Form["customer_email"]);
        Assert.Equal("https://api.example.com/welcome?session={CHECKOUT_SESSION_ID}", call.Form["success_url"]);
        Assert.Equal(checkoutId, call.Form["client_reference_id"]);
        foreach (var prefix in new[] { "metadata", "subscription_data[metadata]" })
        {
            Assert.Equal(stack.SiteId, call.Form[$"{prefix}[edgefence_site_id]"]);
            Assert.Equal(stack.StarterPlanId, call.Form[$"{prefix}[edgefence_plan_id]"]);
            Assert.Equal(checkoutId, call.Form[$"{prefix}[edgefence_checkout_id]"]);
        }

        // The claim code is ours alone: not sent to Stripe in any field, and stored only as a hash.
        var code = checkout.Str("claimUrl")[(checkout.Str("claimUrl").IndexOf('=', StringComparison.Ordinal) + 1)..];
        Assert.DoesNotContain(stack.Stripe.Calls, c => c.Form.Values.Any(v => v.Contains(code, StringComparison.Ordinal)));
        Assert.True(DatabaseFile.AllBytes(stack.ControlPlane.DatabasePath).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(code)) < 0, "the claim code is in the database");
        Assert.Equal(1, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_checkouts"));
    }

    [Fact]
    public async Task Checkout_with_stripe_unreachable_gets_503_and_writes_nothing()
    {
        // The control plane's Stripe is a loopback port nobody listens on; the site connects before any plan has a price.
        await using var stack = await BillingStack.StartAsync(connect: false, stripeApiBase: $"http://127.0.0.1:{FreePort.Next()}");
        DatabaseFile.Execute(stack.ControlPlane.DatabasePath, "UPDATE plan_revisions SET price_micros = 0");
        var connected = await stack.ConnectAsync();
        Assert.True(connected.Status == HttpStatusCode.OK, connected.ToString());
        Assert.Equal(HttpStatusCode.OK, (await stack.ControlPlane.PatchAsync($"/v1/plans/{stack.StarterPlanId}", new { price = 5m })).Status);

        var checkout = await stack.CheckoutAsync(stack.StarterPlanId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, checkout.Status);
        Assert.Equal("urn:edgefence:problem:stripe-unavailable", checkout.Str("type"));
        Assert.Equal("application/problem+json", checkout.ContentType);
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_checkouts"));
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_prices"));
    }

    [Fact]
    public async Task Checkout_refuses_unknown_plans_free_plans_bad_fields_and_sites_without_stripe()
    {
        await using var stack = await BillingStack.StartAsync();
        var other = await stack.ControlPlane.PostAsync("/v1/sites", new { name = "Other", slug = "other", originUrl = "http://127.0.0.1:9" });

        var unknownPlan = await stack.CheckoutAsync("plan_nope");
        var free = await stack.CheckoutAsync(stack.FreePlanId);
        var bad = await stack.ControlPlane.PostAsync($"/v1/sites/{stack.SiteId}/checkout", new
        {
            planId = stack.StarterPlanId,
            customer = new { email = "not-an-email", id = "has spaces" },
            successUrl = "javascript:alert(1)",
        });
        var unknownField = await stack.ControlPlane.PostAsync($"/v1/sites/{stack.SiteId}/checkout", new { planId = stack.StarterPlanId, coupon = "x" });
        var notConnected = await stack.ControlPlane.PostAsync($"/v1/sites/{other.Str("id")}/checkout", new
        {
            planId = stack.StarterPlanId,
            customer = new { email = "ada@example.com" },
            successUrl = "https://a.example/ok",
            cancelUrl = "https://a.example/no",
        });

        Assert.Equal(HttpStatusCode.BadRequest, unknownPlan.Status);
        Assert.Equal("planId", unknownPlan.Str("field"));
        Assert.Equal(HttpStatusCode.Conflict, free.Status);
        Assert.Equal("urn:edgefence:problem:plan-not-billable", free.Str("type"));
        Assert.Equal(["customer.email", "customer.id", "successUrl", "cancelUrl"], bad.ProblemFields());
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.Status);
        Assert.Equal("coupon", unknownField.Str("field"));
        Assert.Equal(HttpStatusCode.Conflict, notConnected.Status);
        Assert.Equal("urn:edgefence:problem:stripe-not-connected", notConnected.Str("type"));
        Assert.DoesNotContain(stack.Stripe.Calls, c => c.Path == "/v1/checkout/sessions");
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_checkouts"));
    }
}
