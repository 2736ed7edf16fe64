using System.Net;
using System.Text.Json.Nodes;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.DemoStripe;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary><c>POST /v1/stripe/webhooks/{siteId}</c>: Stripe's signature, exactly-once processing, and events that mean nothing here.</summary>
public sealed class StripeWebhookTests
{
    [Fact]
    public async Task Bad_missing_or_expired_signatures_get_400_and_change_nothing()
    {
        await using var stack = await BillingStack.StartAsync();
        var checkout = await stack.CheckoutAsync(stack.StarterPlanId);
        var sessionId = checkout.Str("sessionId");
        stack.Stripe.Pay(sessionId);
        var completed = stack.Stripe.CheckoutCompleted(sessionId);
        var body = completed.ToJsonString();
        var version = await stack.ControlPlane.SnapshotVersionAsync();

        var wrongSecret = await stack.Stripe.DeliverAsync(completed, secret: "whsec_someoneelse0000000000000000");
        var missing = await stack.Stripe.DeliverRawAsync(body, signatureHeader: null);
        var garbage = await stack.Stripe.DeliverRawAsync(body, "t=abc,v1=zz");
        var expired = await stack.Stripe.DeliverAsync(completed, signedAt: LocalStripeApi.Now() - 301);
        var future = await stack.Stripe.DeliverAsync(completed, signedAt: LocalStripeApi.Now() + 301);
        var tampered = await stack.Stripe.DeliverRawAsync(body.Replace(stack.SiteId, "site_other", StringComparison.Ordinal), LocalStripeApi.Sign(body, LocalStripeApi.Now(), stack.Stripe.WebhookSecret));

        foreach (var (status, answer) in new[] { wrongSecret, missing, garbage, expired, future, tampered })
        {
            Assert.True(status == 400, $"{status} {answer}");
            Assert.Contains("urn:edgefence:problem:stripe-signature", answer, StringComparison.Ordinal);
        }

        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_events"));
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_subscriptions"));
        Assert.Equal(version, await stack.ControlPlane.SnapshotVersionAsync());

        // The same body, correctly signed 299 s ago (inside the tolerance), is taken: the checks above were not refusing everything.
        var valid = await stack.Stripe.DeliverAsync(completed, signedAt: LocalStripeApi.Now() - 299);
        Assert.True(valid.Status == 200, valid.Body);
        Assert.Equal("provisioned", BillingStack.Outcome(valid.Body));
    }

    [Fact]
    public async Task Replayed_event_is_processed_once_and_answered_as_a_duplicate()
    {
        await using var stack = await BillingStack.StartAsync();
        var checkout = await stack.CheckoutAsync(stack.StarterPlanId);
        stack.Stripe.Pay(checkout.Str("sessionId"));
        var completed = stack.Stripe.CheckoutCompleted(checkout.Str("sessionId"));

        var first = await stack.Stripe.DeliverAsync(completed);
        var version = await stack.ControlPlane.SnapshotVersionAsync();
        var retried = await stack.Stripe.DeliverAsync(completed);
        var replayed = await stack.Stripe.DeliverAsync(completed);

        Assert.Equal("provisioned", BillingStack.Outcome(first.Body));
        foreach (var again in new[] { retried, replayed })
        {
            Assert.True(again.Status == 200, again.Body);
            Assert.Contains("\"duplicate\":true", again.Body, StringComparison.Ordinal);
            Assert.Equal("provisioned", BillingStack.Outcome(again.Body));
        }

        Assert.Equal(1, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_events"));
        Assert.Equal(1, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_subscriptions"));
        Assert.Equal(1, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "tokens"));
        Assert.Equal(version, await stack.ControlPlane.SnapshotVersionAsync());

        // Another event for the same checkout (Stripe may send a new id for it) finds the token already made: one provisioning.
        var secondEvent = await stack.Stripe.DeliverAsync(stack.Stripe.CheckoutCompleted(checkout.Str("sessionId")));
        Assert.Equal("already-provisioned", BillingStack.Outcome(secondEvent.Body));
        Assert.Equal(1, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "tokens"));
    }

    [Fact]
    public async Task Unknown_event_types_checkouts_and_subscriptions_are_acknowledged_and_change_nothing()
    {
        await using var stack = await BillingStack.StartAsync();
        var version = await stack.ControlPlane.SnapshotVersionAsync();

        var unknownType = await stack.Stripe.DeliverAsync(stack.Stripe.Event("customer.created", new JsonObject { ["id"] = "cus_x", ["object"] = "customer" }));
        var notOurs = await stack.Stripe.DeliverAsync(stack.Stripe.Event("checkout.session.completed", new JsonObject
        {
            ["id"] = "cs_test_elsewhere",
            ["object"] = "checkout.session",
            ["client_reference_id"] = "chk_madeupbysomeoneelse",
            ["mode"] = "subscription",
            ["status"] = "complete",
            ["subscription"] = "sub_elsewhere",
        }));
        var unknownSubscription = await stack.Stripe.DeliverAsync(stack.Stripe.Event("customer.subscription.deleted", new JsonObject
        {
            ["id"] = "sub_elsewhere",
            ["object"] = "subscription",
            ["status"] = "canceled",
            ["items"] = new JsonObject { ["object"] = "list", ["data"] = new JsonArray() },
        }));

        Assert.Equal((200, "ignored"), (unknownType.Status, BillingStack.Outcome(unknownType.Body)));
        Assert.Equal((200, "unknown-checkout"), (notOurs.Status, BillingStack.Outcome(notOurs.Body)));
        Assert.Equal((200, "unknown-subscription"), (unknownSubscription.Status, BillingStack.Outcome(unknownSubscription.Body)));
        Assert.Equal(3, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_events"));
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "tokens"));
        Assert.Equal(version, await stack.ControlPlane.SnapshotVersionAsync());
    }

    [Fact]
    public async Task Events_for_an_unknown_site_get_404_and_events_of_another_api_version_400()
    {
        await using var stack = await BillingStack.StartAsync();
        var valid = stack.Stripe.Event("customer.created", new JsonObject { ["id"] = "cus_x", ["object"] = "customer" });
        var oldVersion = stack.Stripe.Event("customer.created", new JsonObject { ["id"] = "cus_x", ["object"] = "customer" }, apiVersion: "2020-08-27");

        stack.Stripe.WebhookUrl = stack.ControlPlane.Url + "/v1/stripe/webhooks/site_nope";
        var unknownSite = await stack.Stripe.DeliverAsync(valid);
        stack.Stripe.WebhookUrl = stack.ControlPlane.Url + "/v1/stripe/webhooks/" + stack.SiteId;
        var otherVersion = await stack.Stripe.DeliverAsync(oldVersion);
        var notJson = await stack.Stripe.DeliverRawAsync("{not json", LocalStripeApi.Sign("{not json", LocalStripeApi.Now(), stack.Stripe.WebhookSecret));

        Assert.Equal(404, unknownSite.Status);
        Assert.True(otherVersion.Status == 400, otherVersion.Body + stack.ControlPlane.Logs.All);
        Assert.Contains("urn:edgefence:problem:stripe-event", otherVersion.Body, StringComparison.Ordinal);
        Assert.Contains("2026-10-28", otherVersion.Body, StringComparison.Ordinal);
        Assert.Equal(400, notJson.Status);
        Assert.Contains("urn:edgefence:problem:stripe-event", notJson.Body, StringComparison.Ordinal);
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_events"));
    }

    [Fact]
    public async Task Out_of_order_subscription_events_do_not_undo_a_newer_state()
    {
        await using var stack = await BillingStack.StartAsync();
        var paid = await stack.PaidCheckoutAsync(stack.StarterPlanId);
        var tokenId = stack.TokenIdOf(paid.SubscriptionId);
        var starterPrice = await stack.PriceIdAsync(stack.StarterPlanId);
        var proPrice = await stack.PriceIdAsync(stack.ProPlanId);
        var now = LocalStripeApi.Now();

        // Stripe made "back to Starter" first (older) and "to Pro" later, but delivers them the other way round.
        var older = stack.Stripe.ChangePrice(paid.SubscriptionId, starterPrice, created: now + 10);
        var newer = stack.Stripe.ChangePrice(paid.SubscriptionId, proPrice, created: now + 20);
        var applied = await stack.Stripe.DeliverAsync(newer);
        var late = await stack.Stripe.DeliverAsync(older);

        Assert.Equal("migrated", BillingStack.Outcome(applied.Body));
        Assert.Equal((200, "stale"), (late.Status, BillingStack.Outcome(late.Body)));
        Assert.Equal(stack.ProPlanId, (await stack.TokenAsync(tokenId)).GetProperty("planId").GetString());

        // Cancelled, then an update made before the cancellation arrives: the token stays revoked.
        var update = stack.Stripe.ChangePrice(paid.SubscriptionId, starterPrice, created: now + 30);
        var canceled = await stack.Stripe.DeliverAsync(stack.Stripe.Cancel(paid.SubscriptionId, created: now + 40));
        var afterCancel = await stack.Stripe.DeliverAsync(update);
        Assert.Equal("revoked", BillingStack.Outcome(canceled.Body));
        Assert.Equal("stale", BillingStack.Outcome(afterCancel.Body));
        var token = await stack.TokenAsync(tokenId);
        Assert.True(token.GetProperty("revoked").GetBoolean());
        Assert.Equal(stack.ProPlanId, token.GetProperty("planId").GetString());

        // Even a newer "active" update cannot bring a canceled subscription back.
        var revived = await stack.Stripe.DeliverAsync(stack.Stripe.Event("customer.subscription.updated", stack.Stripe.Object(paid.SubscriptionId), created: now + 50));
        Assert.Equal("already-ended", BillingStack.Outcome(revived.Body));
        Assert.True((await stack.TokenAsync(tokenId)).GetProperty("revoked").GetBoolean());
    }

    [Fact]
    public async Task Plan_change_to_a_price_made_outside_edgefence_keeps_the_token_on_its_plan()
    {
        await using var stack = await BillingStack.StartAsync();
        var paid = await stack.PaidCheckoutAsync(stack.StarterPlanId);
        var foreign = stack.Stripe.Object(await stack.PriceIdAsync(stack.StarterPlanId)).DeepClone().AsObject();
        foreign["id"] = "price_madeinthedashboard";
        stack.Stripe.Object(paid.SubscriptionId)["items"]!["data"]![0]!["price"] = foreign;

        var updated = await stack.Stripe.DeliverAsync(stack.Stripe.Event("customer.subscription.updated", stack.Stripe.Object(paid.SubscriptionId), created: LocalStripeApi.Now() + 5));

        Assert.Equal((200, "unknown-price"), (updated.Status, BillingStack.Outcome(updated.Body)));
        Assert.Equal(stack.StarterPlanId, (await stack.TokenAsync(stack.TokenIdOf(paid.SubscriptionId))).GetProperty("planId").GetString());
        Assert.Equal("price_madeinthedashboard", stack.Scalar("SELECT price_id FROM stripe_subscriptions"));
    }

    [Fact]
    public async Task Failed_and_paid_invoices_are_recorded_in_order_and_a_stale_one_is_ignored()
    {
        await using var stack = await BillingStack.StartAsync();
        var paid = await stack.PaidCheckoutAsync(stack.StarterPlanId);
        var now = LocalStripeApi.Now();
        var version = await stack.ControlPlane.SnapshotVersionAsync();

        var failed = await stack.Stripe.DeliverAsync(stack.Stripe.Invoice(paid.SubscriptionId, paid: false, created: now + 10));
        Assert.Equal("payment-failure-recorded", BillingStack.Outcome(failed.Body));
        Assert.Equal("failed", stack.Scalar("SELECT payment_state FROM stripe_subscriptions"));
        Assert.NotNull(stack.Scalar("SELECT payment_failed_at_unix FROM stripe_subscriptions"));

        var recovered = await stack.Stripe.DeliverAsync(stack.Stripe.Invoice(paid.SubscriptionId, paid: true, created: now + 20));
        var staleFailure = await stack.Stripe.DeliverAsync(stack.Stripe.Invoice(paid.SubscriptionId, paid: false, created: now + 15));

        Assert.Equal("payment-recorded", BillingStack.Outcome(recovered.Body));
        Assert.Equal("stale", BillingStack.Outcome(staleFailure.Body));
        Assert.Equal("paid", stack.Scalar("SELECT payment_state FROM stripe_subscriptions"));
        Assert.Null(stack.Scalar("SELECT payment_failed_at_unix FROM stripe_subscriptions"));
        var periodEnd = (long)stack.Stripe.Object(paid.SubscriptionId)["items"]!["data"]![0]!["current_period_end"]!;
        Assert.Equal(periodEnd.ToString(System.Globalization.CultureInfo.InvariantCulture), stack.Scalar("SELECT paid_through_unix FROM stripe_subscriptions"));

        // Recorded only: the edge has no suspension field yet, so no snapshot was issued for these.
        Assert.Equal(version, await stack.ControlPlane.SnapshotVersionAsync());
    }

    [Fact]
    public async Task Stripe_unreachable_while_processing_gets_503_and_records_nothing_so_stripe_retries()
    {
        await using var stack = await BillingStack.StartAsync();
        var checkout = await stack.CheckoutAsync(stack.StarterPlanId);
        stack.Stripe.Pay(checkout.Str("sessionId"));
        var completed = stack.Stripe.CheckoutCompleted(checkout.Str("sessionId"));
        await stack.Stripe.StopAsync();

        var answer = await stack.Stripe.DeliverAsync(completed);

        Assert.True(answer.Status == 503, answer.Body);
        Assert.Contains("urn:edgefence:problem:stripe-unavailable", answer.Body, StringComparison.Ordinal);
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_events"));
        Assert.Equal(0, DatabaseFile.Count(stack.ControlPlane.DatabasePath, "tokens"));
    }

    [Fact]
    public async Task A_flood_of_events_is_answered_200_or_503_busy_and_every_200_is_recorded_once()
    {
        await using var stack = await BillingStack.StartAsync();
        var events = Enumerable.Range(0, 40).Select(i => stack.Stripe.Event("customer.created", new JsonObject { ["id"] = $"cus_{i}", ["object"] = "customer" })).ToList();

        var answers = await Task.WhenAll(events.Select(e => stack.Stripe.DeliverAsync(e)));

        Assert.All(answers, a => Assert.True(a.Status is 200 or 503, $"{a.Status} {a.Body}"));
        Assert.All(answers.Where(a => a.Status == 503), a => Assert.Contains("urn:edgefence:problem:busy", a.Body, StringComparison.Ordinal));
        Assert.Equal(answers.Count(a => a.Status == 200), DatabaseFile.Count(stack.ControlPlane.DatabasePath, "stripe_events"));
    }
}
