using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary>
/// Plans with an overage price: the overage Billing Meter (created once, or an existing one reused), a metered Price per
/// plan revision beside the flat one, and checkouts that sell both; through Stripe.net to the local Stripe API.
/// </summary>
public sealed class MeteredPriceTests
{
    [Fact]
    public async Task A_plan_with_an_overage_price_gets_the_meter_and_a_metered_price_and_checkout_sells_both()
    {
        await using var stack = await BillingStack.StartAsync();
        var planId = await OveragePlanAsync(stack, 0.05m);

        var checkout = await stack.CheckoutAsync(planId);

        Assert.True(checkout.Status == HttpStatusCode.Created, checkout.ToString());

        // :: One meter: sum of "value" per customer found by id under "stripe_customer_id", created with our idempotency key.
        var meter = Assert.Single(stack.Stripe.ObjectsOf("billing.meter"));
        Assert.Equal("edgefence_overage", (string?)meter["event_name"]);
        Assert.Equal("sum", (string?)meter["default_aggregation"]!["formula"]);
        Assert.Equal("by_id", (string?)meter["customer_mapping"]!["type"]);
        Assert.Equal("stripe_customer_id", (string?)meter["customer_mapping"]!["event_payload_key"]);
        Assert.Equal("value", (string?)meter["value_settings"]!["event_payload_key"]);
        var meterCreate = Assert.Single(stack.Stripe.Calls, c => c is { Method: "POST", Path: "/v1/billing/meters" });
        Assert.Equal($"edgefence-meter-{stack.SiteId}.edgefence_overage", meterCreate.IdempotencyKey);
        Assert.Single(stack.Stripe.Calls, c => c is { Method: "GET", Path: "/v1/billing/meters" });

        // :: The metered Price: on the flat Price's Product, 5 cents a unit, reading the meter.
        var state = await stack.ControlPlane.GetAsync($"/v1/sites/{stack.SiteId}/stripe");
        var recorded = state.Json.GetProperty("prices").EnumerateArray().Single(p => p.GetProperty("planId").GetString() == planId);
        var flat = stack.Stripe.Object(recorded.GetProperty("priceId").GetString()!);
        var metered = stack.Stripe.Object(recorded.GetProperty("meteredPriceId").GetString()!);
        Assert.Equal((string?)meter["id"], recorded.GetProperty("meterId").GetString());
        Assert.Equal((string?)flat["product"], (string?)metered["product"]);
        Assert.Equal("licensed", (string?)flat["recurring"]!["usage_type"]);
        Assert.Equal("metered", (string?)metered["recurring"]!["usage_type"]);
        Assert.Equal((string?)meter["id"], (string?)metered["recurring"]!["meter"]);
        Assert.Equal("month", (string?)metered["recurring"]!["interval"]);
        Assert.Equal("5", (string?)metered["unit_amount_decimal"]);
        Assert.Equal("overage", (string?)metered["metadata"]!["edgefence_price"]);

        // :: The session: the flat Price with quantity 1, the metered one without a quantity.
        var call = stack.Stripe.Calls.Single(c => c.Path == "/v1/checkout/sessions");
        Assert.Equal((string?)flat["id"], call.Form["line_items[0][price]"]);
        Assert.Equal("1", call.Form["line_items[0][quantity]"]);
        Assert.Equal((string?)metered["id"], call.Form["line_items[1][price]"]);
        Assert.False(call.Form.ContainsKey("line_items[1][quantity]"));

        // :: Paid: a subscription of two items provisions the token on the plan (the flat item names it and the period).
        var sessionId = checkout.Str("sessionId");
        var subscriptionId = stack.Stripe.Pay(sessionId);
        Assert.Equal(2, stack.Stripe.Object(subscriptionId)["items"]!["data"]!.AsArray().Count);
        var (status, body) = await stack.Stripe.DeliverAsync(stack.Stripe.CheckoutCompleted(sessionId));
        Assert.True(status == 200, body);
        Assert.Equal("provisioned", BillingStack.Outcome(body));
        var token = await stack.TokenAsync(stack.TokenIdOf(subscriptionId));
        Assert.Equal(planId, token.GetProperty("planId").GetString());
        Assert.Equal(
            stack.Stripe.Object(subscriptionId)["items"]!["data"]![0]!["current_period_end"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture),
            stack.Scalar($"SELECT current_period_end_unix FROM stripe_subscriptions WHERE subscription_id = '{subscriptionId}'"));

        // :: A second checkout reuses all three: no create call to meters or prices.
        var creates = stack.Stripe.Calls.Count(c => c.Method == "POST" && c.Path is "/v1/billing/meters" or "/v1/prices");
        Assert.Equal(HttpStatusCode.Created, (await stack.CheckoutAsync(planId, "grace@example.com", "cust-grace")).Status);
        Assert.Equal(creates, stack.Stripe.Calls.Count(c => c.Method == "POST" && c.Path is "/v1/billing/meters" or "/v1/prices"));
        Assert.Single(stack.Stripe.ObjectsOf("billing.meter"));
        Assert.Equal("1", stack.Scalar("SELECT COUNT(*) FROM stripe_meters"));
    }

    [Fact]
    public async Task An_active_meter_with_the_event_name_is_reused_not_duplicated()
    {
        await using var stack = await BillingStack.StartAsync();
        var byHand = stack.Stripe.CreateMeterByHand("edgefence_overage");
        var planId = await OveragePlanAsync(stack, 0.5m);

        var checkout = await stack.CheckoutAsync(planId);

        Assert.True(checkout.Status == HttpStatusCode.Created, checkout.ToString());
        Assert.DoesNotContain(stack.Stripe.Calls, c => c is { Method: "POST", Path: "/v1/billing/meters" });
        Assert.Single(stack.Stripe.ObjectsOf("billing.meter"));
        var metered = stack.Stripe.ObjectsOf("price").Single(p => (string?)p["recurring"]!["usage_type"] == "metered");
        Assert.Equal(byHand, (string?)metered["recurring"]!["meter"]);
        Assert.Equal("50", (string?)metered["unit_amount_decimal"]);
        Assert.Equal(byHand, stack.Scalar("SELECT meter_id FROM stripe_meters"));
    }

    [Fact]
    public async Task Connecting_makes_the_meter_and_metered_prices_of_plans_with_an_overage_price()
    {
        await using var stack = await BillingStack.StartAsync(connect: false);
        var planId = await OveragePlanAsync(stack, 0.02m);

        var connected = await stack.ConnectAsync();

        Assert.True(connected.Status == HttpStatusCode.OK, connected.ToString());
        var recorded = connected.Json.GetProperty("prices").EnumerateArray().Single(p => p.GetProperty("planId").GetString() == planId);
        var meter = Assert.Single(stack.Stripe.ObjectsOf("billing.meter"));
        Assert.Equal((string?)meter["id"], recorded.GetProperty("meterId").GetString());
        Assert.Equal("2", (string?)stack.Stripe.Object(recorded.GetProperty("meteredPriceId").GetString()!)["unit_amount_decimal"]);

        // The plans without an overage price have no metered Price.
        var starter = connected.Json.GetProperty("prices").EnumerateArray().Single(p => p.GetProperty("planId").GetString() == stack.StarterPlanId);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, starter.GetProperty("meteredPriceId").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, starter.GetProperty("meterId").ValueKind);
    }

    [Fact]
    public async Task Lost_answers_while_making_the_meter_or_the_metered_price_get_503_write_nothing_and_a_retry_makes_no_second()
    {
        await using var stack = await BillingStack.StartAsync();
        var planId = await OveragePlanAsync(stack, 0.05m);

        // :: Stripe makes the meter but its answers never arrive (Stripe.net's retry included).
        stack.Stripe.LoseAnswer = (path, form) => path == "/v1/billing/meters" && form.ContainsKey("event_name");
        var lostMeter = await stack.CheckoutAsync(planId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, lostMeter.Status);
        Assert.Equal("urn:edgefence:problem:stripe-unavailable", lostMeter.Str("type"));
        Assert.Single(stack.Stripe.ObjectsOf("billing.meter"));
        AssertNothingWritten(stack, planId);

        // :: Then the metered Price: made in Stripe, its answer lost.
        stack.Stripe.LoseAnswer = (path, form) => path == "/v1/prices" && form.GetValueOrDefault("recurring[usage_type]") == "metered";
        var lostPrice = await stack.CheckoutAsync(planId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, lostPrice.Status);
        Assert.Single(stack.Stripe.ObjectsOf("price"), p => (string?)p["recurring"]!["usage_type"] == "metered");
        AssertNothingWritten(stack, planId);

        // :: Stripe answers again: the retry finds the meter by its event name and gets the metered Price back by its
        // idempotency key; one of each in Stripe, both recorded.
        stack.Stripe.LoseAnswer = null;
        var retried = await stack.CheckoutAsync(planId);

        Assert.True(retried.Status == HttpStatusCode.Created, retried.ToString());
        var meter = Assert.Single(stack.Stripe.ObjectsOf("billing.meter"));
        var metered = Assert.Single(stack.Stripe.ObjectsOf("price"), p => (string?)p["recurring"]!["usage_type"] == "metered");
        Assert.Equal((string?)meter["id"], stack.Scalar("SELECT meter_id FROM stripe_meters"));
        Assert.Equal((string?)metered["id"], stack.Scalar($"SELECT metered_price_id FROM stripe_prices WHERE plan_id = '{planId}'"));
        Assert.All(stack.Stripe.Calls.Where(c => c is { Method: "POST", Path: "/v1/billing/meters" }), c => Assert.Equal($"edgefence-meter-{stack.SiteId}.edgefence_overage", c.IdempotencyKey));
    }

    [Fact]
    public async Task A_new_overage_price_is_a_new_revision_with_a_new_metered_price_on_the_same_meter()
    {
        await using var stack = await BillingStack.StartAsync();
        var planId = await OveragePlanAsync(stack, 0.05m);
        Assert.Equal(HttpStatusCode.Created, (await stack.CheckoutAsync(planId)).Status);
        var before = stack.Scalar($"SELECT metered_price_id FROM stripe_prices WHERE plan_id = '{planId}' AND plan_revision = 1")!;

        var patched = await stack.ControlPlane.PatchAsync($"/v1/plans/{planId}", new { overagePrice = 0.1m });

        Assert.True(patched.Status == HttpStatusCode.OK, patched.ToString());
        Assert.Equal(2, patched.Json.GetProperty("revision").GetInt64());
        Assert.Equal(0.1m, patched.Json.GetProperty("overagePrice").GetDecimal());
        Assert.Equal(HttpStatusCode.Created, (await stack.CheckoutAsync(planId)).Status);
        var after = stack.Scalar($"SELECT metered_price_id FROM stripe_prices WHERE plan_id = '{planId}' AND plan_revision = 2")!;
        Assert.NotEqual(before, after);
        Assert.Equal("10", (string?)stack.Stripe.Object(after)["unit_amount_decimal"]);
        Assert.Equal("5", (string?)stack.Stripe.Object(before)["unit_amount_decimal"]);
        Assert.Equal((string?)stack.Stripe.Object(before)["recurring"]!["meter"], (string?)stack.Stripe.Object(after)["recurring"]!["meter"]);
        Assert.DoesNotContain(stack.Stripe.Calls, c => c.Method == "POST" && c.Path.StartsWith("/v1/prices/", StringComparison.Ordinal));

        // Sending null removes it: the next revision sells the flat Price alone.
        var removed = await stack.ControlPlane.PatchAsync($"/v1/plans/{planId}", new Dictionary<string, object?> { ["overagePrice"] = null });
        Assert.True(removed.Status == HttpStatusCode.OK, removed.ToString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, removed.Json.GetProperty("overagePrice").ValueKind);
        Assert.Equal(HttpStatusCode.Created, (await stack.CheckoutAsync(planId)).Status);
        Assert.False(stack.Stripe.Calls.Last(c => c.Path == "/v1/checkout/sessions").Form.ContainsKey("line_items[1][price]"));
    }

    [Fact]
    public async Task A_pay_as_you_go_plan_is_sold_by_its_metered_price_alone()
    {
        await using var stack = await BillingStack.StartAsync();
        var plan = await stack.ControlPlane.PostAsync($"/v1/sites/{stack.SiteId}/plans", new { name = "Pay as you go", quota = new { units = 0, period = "month", mode = "soft" }, overagePrice = 0.01m });
        Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
        var planId = plan.Str("id");
        var prices = stack.Stripe.ObjectsOf("price").Count();

        var checkout = await stack.CheckoutAsync(planId);

        Assert.True(checkout.Status == HttpStatusCode.Created, checkout.ToString());
        Assert.Equal(prices + 1, stack.Stripe.ObjectsOf("price").Count());
        var call = stack.Stripe.Calls.Single(c => c.Path == "/v1/checkout/sessions");
        var metered = stack.Stripe.Object(call.Form["line_items[0][price]"]);
        Assert.Equal("metered", (string?)metered["recurring"]!["usage_type"]);
        Assert.Equal("1", (string?)metered["unit_amount_decimal"]);
        Assert.False(call.Form.ContainsKey("line_items[0][quantity]"));
        Assert.False(call.Form.ContainsKey("line_items[1][price]"));
        Assert.Equal((string?)metered["id"], await stack.PriceIdAsync(planId));

        // Paid: the one metered item names the plan.
        var subscriptionId = stack.Stripe.Pay(checkout.Str("sessionId"));
        var (status, body) = await stack.Stripe.DeliverAsync(stack.Stripe.CheckoutCompleted(checkout.Str("sessionId")));
        Assert.True(status == 200, body);
        Assert.Equal("provisioned", BillingStack.Outcome(body));
        Assert.Equal(planId, (await stack.TokenAsync(stack.TokenIdOf(subscriptionId))).GetProperty("planId").GetString());
    }

    [Theory]
    [InlineData("""{"name":"A","price":5,"overagePrice":0.1}""", "needs a soft quota")]
    [InlineData("""{"name":"A","price":5,"quota":{"units":2,"period":"month"},"overagePrice":0.1}""", "needs a soft quota")]
    [InlineData("""{"name":"A","price":5,"quota":{"units":2,"period":"month","mode":"soft"},"overagePrice":0}""", "must be above 0")]
    [InlineData("""{"name":"A","price":5,"quota":{"units":2,"period":"month","mode":"soft"},"overagePrice":-1}""", "overagePrice")]
    [InlineData("""{"name":"A","price":5,"quota":{"units":2,"period":"month","mode":"soft"},"overagePrice":0.0000001}""", "overagePrice")]
    [InlineData("""{"name":"A","price":5,"quota":{"units":2,"period":"month","mode":"soft"},"billing":"prepaid","overagePrice":0.1}""", "prepaid")]
    [InlineData("""{"name":"A","price":5,"quota":{"units":2,"period":"month","mode":"soft"},"overagePrice":"cheap"}""", "")]
    public async Task A_bad_overage_price_is_refused_with_400(string body, string detail)
    {
        await using var stack = await BillingStack.StartAsync(connect: false);

        var answer = await stack.ControlPlane.SendAsync(HttpMethod.Post, $"/v1/sites/{stack.SiteId}/plans", body);

        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Contains(detail, answer.Text, StringComparison.Ordinal);
        Assert.Equal("3", stack.Scalar("SELECT COUNT(*) FROM plans"));
    }

    [Fact]
    public async Task Removing_the_soft_quota_of_a_plan_with_an_overage_price_is_refused()
    {
        await using var stack = await BillingStack.StartAsync(connect: false);
        var planId = await OveragePlanAsync(stack, 0.05m);

        var hard = await stack.ControlPlane.PatchAsync($"/v1/plans/{planId}", new { quota = new { units = 2, period = "month", mode = "hard" } });

        Assert.True(hard.Status == HttpStatusCode.BadRequest, hard.ToString());
        Assert.Contains("overagePrice", hard.Text, StringComparison.Ordinal);
        Assert.Equal("1", stack.Scalar($"SELECT current_revision FROM plans WHERE id = '{planId}'"));
    }

    private static async Task<string> OveragePlanAsync(BillingStack stack, decimal overagePrice)
    {
        var plan = await stack.ControlPlane.PostAsync($"/v1/sites/{stack.SiteId}/plans", new
        {
            name = "Metered",
            quota = new { units = 2, period = "month", mode = "soft" },
            price = 10m,
            overagePrice,
        });
        Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
        Assert.Equal(overagePrice, plan.Json.GetProperty("overagePrice").GetDecimal());
        return plan.Str("id");
    }

    private static void AssertNothingWritten(BillingStack stack, string planId)
    {
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_checkouts"));
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_meters"));
        Assert.Null(stack.Scalar($"SELECT price_id FROM stripe_prices WHERE plan_id = '{planId}'"));
    }
}
