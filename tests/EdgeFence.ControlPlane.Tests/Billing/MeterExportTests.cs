using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary>
/// Soft-quota overage to Stripe meter events: a real edge admits past the quota, the control plane reads its ledger in
/// a real redis-server and sends the overage through Stripe.net to the local Stripe API, once per unit, with a
/// deterministic identifier, even when Stripe took an event and answered with an error.
/// </summary>
public sealed class MeterExportTests
{
    [Fact]
    public async Task Overage_reaches_stripe_once_per_unit_even_when_stripe_fails_after_taking_an_event()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await BillingStack.StartAsync(withEdge: true, redis: redis.ConnectionString, controlPlaneArgs: ["--ControlPlane:Stripe:MeterExportSeconds=1"]);
        var plan = await stack.ControlPlane.PostAsync($"/v1/sites/{stack.SiteId}/plans", new { name = "Metered", quota = new { units = 2, period = "month", mode = "soft" }, price = 5m });
        Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
        var paid = await stack.PaidCheckoutAsync(plan.Str("id"));
        var claimed = await stack.ClaimAsync(paid.ClaimUrl);
        Assert.True(claimed.Status == HttpStatusCode.OK, claimed.ToString());
        var token = claimed.Str("token");
        var tokenId = claimed.Str("id");
        var customer = (string)stack.Stripe.Object(paid.SubscriptionId)["customer"]!;

        // :: 5 calls on a soft quota of 2: 3 units of overage, one meter event of 3.
        await CallAsync(stack, token, 5);
        var first = await WaitForAsync(stack, tokenId, usage => usage.GetProperty("exportedUnits").GetInt64() == 3);
        Assert.Equal(0, first.GetProperty("exportPendingUnits").GetInt64());
        var meterEvent = Assert.Single(stack.Stripe.MeterEvents.Values);
        Assert.Equal("edgefence_overage", (string?)meterEvent["event_name"]);
        Assert.Equal("3", (string?)meterEvent["payload"]!["value"]);
        Assert.Equal(customer, (string?)meterEvent["payload"]!["stripe_customer_id"]);
        var periodStart = first.GetProperty("period").GetProperty("start").GetDateTimeOffset().ToUnixTimeSeconds();
        Assert.Equal($"ef:{stack.SiteId}:{tokenId}:{periodStart}:1", (string?)meterEvent["identifier"]);

        // The plan has no overage price, so no checkout made the meter: the exporter did, before its first event.
        var meter = Assert.Single(stack.Stripe.ObjectsOf("billing.meter"));
        Assert.Equal("edgefence_overage", (string?)meter["event_name"]);
        Assert.Equal((string?)meter["id"], stack.Scalar("SELECT meter_id FROM stripe_meters"));

        // Later rounds find nothing new to cover.
        await Task.Delay(2500);
        Assert.Single(stack.Stripe.MeterEvents);

        // :: Stripe takes the next event but answers 500: it stays pending and is sent again, and counted once.
        stack.Stripe.FailMeterEvents = true;
        await CallAsync(stack, token, 2);
        var pending = await WaitForAsync(stack, tokenId, usage => usage.GetProperty("exportPendingUnits").GetInt64() == 2);
        Assert.Equal(3, pending.GetProperty("exportedUnits").GetInt64());

        // The export is recorded as pending before it is sent: wait for Stripe to have taken it.
        var sent = Stopwatch.StartNew();
        while (stack.Stripe.MeterEvents.Count < 2 && sent.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        Assert.Equal(2, stack.Stripe.MeterEvents.Count);
        stack.Stripe.FailMeterEvents = false;

        var settled = await WaitForAsync(stack, tokenId, usage => usage.GetProperty("exportedUnits").GetInt64() == 5);
        Assert.Equal(0, settled.GetProperty("exportPendingUnits").GetInt64());
        Assert.Equal(5, settled.GetProperty("overage").GetInt64());
        Assert.Equal(2, stack.Stripe.MeterEvents.Count);
        Assert.Equal("2", (string?)stack.Stripe.MeterEvents[$"ef:{stack.SiteId}:{tokenId}:{periodStart}:2"]["payload"]!["value"]);
        var sends = stack.Stripe.Calls.Count(c => c.Path == "/v1/billing/meter_events");
        Assert.True(sends >= 3, $"the failed event was sent again: {sends} sends");
    }

    [Fact]
    public async Task A_pay_as_you_go_subscription_exports_every_unit_through_the_same_path()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await BillingStack.StartAsync(withEdge: true, redis: redis.ConnectionString, controlPlaneArgs: ["--ControlPlane:Stripe:MeterExportSeconds=1"]);
        var plan = await stack.ControlPlane.PostAsync($"/v1/sites/{stack.SiteId}/plans", new { name = "Pay as you go", quota = new { units = 0, period = "month", mode = "soft" }, overagePrice = 0.01m });
        Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
        var paid = await stack.PaidCheckoutAsync(plan.Str("id"));
        var claimed = await stack.ClaimAsync(paid.ClaimUrl);
        Assert.True(claimed.Status == HttpStatusCode.OK, claimed.ToString());
        var tokenId = claimed.Str("id");
        var subscription = stack.Stripe.Object(paid.SubscriptionId);
        var item = Assert.Single(subscription["items"]!["data"]!.AsArray());
        Assert.Equal("metered", (string?)item!["price"]!["recurring"]!["usage_type"]);

        // :: 4 calls, no units included: all 4 are exported, with the same identifier scheme and usage records.
        await CallAsync(stack, claimed.Str("token"), 4);
        var usage = await WaitForAsync(stack, tokenId, u => u.GetProperty("exportedUnits").GetInt64() == 4);
        Assert.Equal(0, usage.GetProperty("exportPendingUnits").GetInt64());
        Assert.Equal(4, usage.GetProperty("overage").GetInt64());

        // An export round may fall between two calls: then the 4 units are in more than one event, numbered from 1.
        var periodStart = usage.GetProperty("period").GetProperty("start").GetDateTimeOffset().ToUnixTimeSeconds();
        var events = stack.Stripe.MeterEvents.Values.OrderBy(e => (string?)e["identifier"], StringComparer.Ordinal).ToList();
        Assert.Equal(
            Enumerable.Range(1, events.Count).Select(seq => $"ef:{stack.SiteId}:{tokenId}:{periodStart}:{seq}"),
            events.Select(e => (string?)e["identifier"]));
        Assert.Equal(4, events.Sum(e => long.Parse((string)e["payload"]!["value"]!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(events, e => Assert.Equal((string?)subscription["customer"], (string?)e["payload"]!["stripe_customer_id"]));
        var meter = Assert.Single(stack.Stripe.ObjectsOf("billing.meter"));
        Assert.Equal((string?)meter["id"], (string?)item["price"]!["recurring"]!["meter"]);
    }

    [Fact]
    public async Task A_hard_quota_subscription_exports_nothing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await BillingStack.StartAsync(withEdge: true, redis: redis.ConnectionString, controlPlaneArgs: ["--ControlPlane:Stripe:MeterExportSeconds=1"]);
        var paid = await stack.PaidCheckoutAsync(stack.StarterPlanId);
        var claimed = await stack.ClaimAsync(paid.ClaimUrl);
        await CallAsync(stack, claimed.Str("token"), 4, allowRefusals: true);

        await Task.Delay(2500);

        Assert.Empty(stack.Stripe.MeterEvents);
        var usage = await stack.ControlPlane.GetAsync($"/v1/tokens/{claimed.Str("id")}/usage");
        Assert.Equal(0, usage.Json.GetProperty("exportedUnits").GetInt64());
    }

    private static async Task CallAsync(BillingStack stack, string token, int count, bool allowRefusals = false)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await stack.Full!.Edge.GetAsync("/api/hello", token);
            Assert.True(allowRefusals || response.StatusCode == HttpStatusCode.OK, $"call {i + 1}: {(int)response.StatusCode}");
        }
    }

    private static async Task<JsonElement> WaitForAsync(BillingStack stack, string tokenId, Func<JsonElement, bool> done)
    {
        var clock = Stopwatch.StartNew();
        ApiResponse usage;
        do
        {
            usage = await stack.ControlPlane.GetAsync($"/v1/tokens/{tokenId}/usage");
            Assert.True(usage.Status == HttpStatusCode.OK, usage.ToString());
            if (done(usage.Json))
            {
                return usage.Json;
            }

            await Task.Delay(100);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(20));

        Assert.Fail($"not reached in 20 s: {usage}");
        return default;
    }
}
