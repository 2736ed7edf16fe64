using System.Net;
using System.Text;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary><c>PUT</c>/<c>GET /v1/sites/{id}/stripe</c>: keys sealed and never shown, prices made for the plans with a price.</summary>
public sealed class StripeConnectionTests
{
    [Fact]
    public async Task Connecting_seals_the_keys_shows_only_the_last_four_and_creates_a_price_per_priced_plan()
    {
        await using var stack = await BillingStack.StartAsync();

        var state = await stack.ControlPlane.GetAsync($"/v1/sites/{stack.SiteId}/stripe");
        Assert.Equal(HttpStatusCode.OK, state.Status);
        Assert.True(state.Json.GetProperty("connected").GetBoolean());
        Assert.Equal(stack.Stripe.ApiKey[^4..], state.Str("keyLast4"));
        Assert.Equal("test", state.Str("mode"));
        Assert.Equal($"/v1/stripe/webhooks/{stack.SiteId}", state.Str("webhookPath"));
        Assert.DoesNotContain(stack.Stripe.ApiKey, state.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.Stripe.WebhookSecret, state.Text, StringComparison.Ordinal);

        // Starter and Pro have prices; Free does not and gets nothing in Stripe.
        var prices = state.Json.GetProperty("prices").EnumerateArray().Select(p => p.GetProperty("planId").GetString()).Order().ToList();
        Assert.Equal(new[] { stack.StarterPlanId, stack.ProPlanId }.Order(), prices);
        var starter = stack.Stripe.Object(await stack.PriceIdAsync(stack.StarterPlanId));
        Assert.Equal("999", (string?)starter["unit_amount_decimal"]);
        Assert.Equal("usd", (string?)starter["currency"]);
        Assert.Equal("month", (string?)starter["recurring"]!["interval"]);
        Assert.Equal(2, stack.Stripe.ObjectsOf("product").Count());

        // Every create carried an idempotency key of ours and the API version Stripe.net pins.
        var creates = stack.Stripe.Calls.Where(c => c.Method == "POST").ToList();
        Assert.Equal(4, creates.Count);
        Assert.All(creates, c => Assert.StartsWith("edgefence-", c.IdempotencyKey, StringComparison.Ordinal));
        Assert.All(creates, c => Assert.StartsWith("2026-10-28", c.StripeVersion, StringComparison.Ordinal));

        // Neither secret is in the database (with its WAL) or the log; the sealed boxes are.
        var database = DatabaseFile.AllBytes(stack.ControlPlane.DatabasePath);
        foreach (var secret in new[] { stack.Stripe.ApiKey, stack.Stripe.WebhookSecret })
        {
            Assert.True(database.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, "a Stripe secret is in the database");
            Assert.DoesNotContain(secret, stack.ControlPlane.Logs.All, StringComparison.Ordinal);
        }

        Assert.Equal("1", stack.Scalar("SELECT COUNT(*) FROM stripe_accounts WHERE length(secret_key_box) > 28"));
    }

    [Fact]
    public async Task Reconnecting_with_the_same_key_reuses_the_prices_and_a_plan_revision_gets_a_new_price()
    {
        await using var stack = await BillingStack.StartAsync();
        var before = await stack.PriceIdAsync(stack.StarterPlanId);

        Assert.Equal(HttpStatusCode.OK, (await stack.ConnectAsync()).Status);
        Assert.Equal(before, await stack.PriceIdAsync(stack.StarterPlanId));
        Assert.Equal(2, stack.Stripe.ObjectsOf("price").Count());

        // A new revision is a new Price at the next checkout; the old Price is left as it was (never edited).
        Assert.Equal(HttpStatusCode.OK, (await stack.ControlPlane.PatchAsync($"/v1/plans/{stack.StarterPlanId}", new { price = 12.5m })).Status);
        var checkout = await stack.CheckoutAsync(stack.StarterPlanId);
        Assert.Equal(HttpStatusCode.Created, checkout.Status);
        var after = await stack.PriceIdAsync(stack.StarterPlanId);
        Assert.NotEqual(before, after);
        Assert.Equal("1250", (string?)stack.Stripe.Object(after)["unit_amount_decimal"]);
        Assert.Equal("999", (string?)stack.Stripe.Object(before)["unit_amount_decimal"]);
        Assert.Equal("2", (string?)stack.Stripe.Object(after)["metadata"]!["edgefence_plan_revision"]);
        Assert.DoesNotContain(stack.Stripe.Calls, c => c.Method == "POST" && c.Path.StartsWith("/v1/prices/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connecting_with_a_key_stripe_refuses_gets_502_and_stores_nothing()
    {
        await using var stack = await BillingStack.StartAsync(connect: false);

        var refused = await stack.ConnectAsync(secretKey: "rk_test_51SomeoneElsesKey000000000000wxyz");

        Assert.Equal(HttpStatusCode.BadGateway, refused.Status);
        Assert.Equal("urn:edgefence:problem:stripe-error", refused.Str("type"));
        Assert.Contains("401", refused.Str("detail"), StringComparison.Ordinal);
        Assert.DoesNotContain("SomeoneElsesKey", refused.Text, StringComparison.Ordinal);
        Assert.False((await stack.ControlPlane.GetAsync($"/v1/sites/{stack.SiteId}/stripe")).Json.GetProperty("connected").GetBoolean());
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_accounts"));
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_prices"));
    }

    [Fact]
    public async Task Malformed_keys_get_400_naming_both_fields_and_an_unknown_site_404()
    {
        await using var stack = await BillingStack.StartAsync(connect: false);

        var bad = await stack.ConnectAsync(secretKey: "pk_test_publishable123456", webhookSecret: "not-a-secret");
        var missing = await stack.ControlPlane.SendAsync(HttpMethod.Put, $"/v1/sites/{stack.SiteId}/stripe", "{}");
        var unknown = await stack.ControlPlane.SendAsync(HttpMethod.Put, "/v1/sites/site_nope/stripe", new { secretKey = stack.Stripe.ApiKey, webhookSecret = stack.Stripe.WebhookSecret });
        var noKey = await stack.ControlPlane.SendAsync(HttpMethod.Get, $"/v1/sites/{stack.SiteId}/stripe", null, bearer: null);

        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal(["secretKey", "webhookSecret"], bad.ProblemFields());
        Assert.DoesNotContain("publishable123456", bad.Text, StringComparison.Ordinal);
        Assert.Equal(["secretKey", "webhookSecret"], missing.ProblemFields());
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.Status);
        Assert.Empty(stack.Stripe.Calls);
    }

    [Fact]
    public async Task Connection_survives_a_restart_and_a_replaced_key_file_asks_to_connect_again()
    {
        await using var stack = await BillingStack.StartAsync();
        await stack.ControlPlane.RestartAsync();
        var afterRestart = await stack.CheckoutAsync(stack.StarterPlanId);
        Assert.True(afterRestart.Status == HttpStatusCode.Created, afterRestart.ToString());

        await stack.ControlPlane.StopAsync();
        File.Delete(Path.Combine(stack.ControlPlane.Directory, "keys", "billing-secrets.key"));
        await stack.ControlPlane.RestartAsync();
        var unreadable = await stack.CheckoutAsync(stack.StarterPlanId);
        Assert.Equal(HttpStatusCode.Conflict, unreadable.Status);
        Assert.Equal("urn:edgefence:problem:stripe-not-connected", unreadable.Str("type"));

        // Connecting again seals the keys with the new file and works.
        Assert.Equal(HttpStatusCode.OK, (await stack.ConnectAsync()).Status);
        Assert.Equal(HttpStatusCode.Created, (await stack.CheckoutAsync(stack.StarterPlanId)).Status);
    }
}
