using System.Security.Cryptography;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Stripe;
using Stripe.Checkout;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// <c>POST /v1/stripe/webhooks/{siteId}</c>: Stripe's events for one site, verified with that site's signing secret
/// (no admin key: the signature is the authentication). Each event id is processed once, in the transaction of the
/// change it makes, and answered 2xx only after that commit, so Stripe retries anything not yet durable.
/// </summary>
internal sealed class StripeWebhookEndpoint
{
    /// <summary>Stripe's own default tolerance: a captured, validly signed body cannot be replayed after five minutes.</summary>
    public const long ToleranceSeconds = 300;

    /// <summary>
    /// Events processed at once. A flood of (even validly signed) deliveries must not queue unbounded work behind the
    /// single writer: past this, 503 with Retry-After, which Stripe treats as "retry later".
    /// </summary>
    public const int MaxConcurrent = 8;

    private readonly SemaphoreSlim _slots = new(MaxConcurrent, MaxConcurrent);
    private readonly Database _database;
    private readonly ChangeRunner _changes;
    private readonly StripeSecretBox _box;
    private readonly StripeGateway _stripe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _suspendAfter;

    /// <param name="suspendAfter">How long after a failed payment its token is suspended (<see cref="BillingOptions.SuspendAfterHours"/>):
    /// zero suspends with the failure's own event; later, <see cref="PaymentSuspender"/> does.</param>
    public StripeWebhookEndpoint(Database database, ChangeRunner changes, StripeSecretBox box, StripeGateway stripe, TimeProvider time, ILogger logger, TimeSpan suspendAfter)
    {
        _suspendAfter = suspendAfter;
        _database = database;
        _changes = changes;
        _box = box;
        _stripe = stripe;
        _time = time;
        _logger = logger;
    }

    public static string PathFor(string siteId) => "/v1/stripe/webhooks/" + siteId;

    public void Map(IEndpointRouteBuilder app) => app.MapPost("/v1/stripe/webhooks/{id}", ReceiveAsync);

    private async Task ReceiveAsync(HttpContext context)
    {
        if (!await _slots.WaitAsync(0, context.RequestAborted).ConfigureAwait(false))
        {
            context.Response.Headers.RetryAfter = "5";
            throw new ApiProblemException(503, "busy", "Too many webhooks at once", $"at most {MaxConcurrent} events are processed at a time; retry");
        }

        try
        {
            await ProcessAsync(context).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task ProcessAsync(HttpContext context)
    {
        // :: Step 1: the site's signing secret. Unknown site or no Stripe: nothing to verify with.
        var siteId = RouteValues.Id(context);
        StripeAccount account;
        using (var connection = _database.Open())
        {
            try
            {
                account = StripeAccountRows.Open(connection, null, _box, siteId) ?? throw ApiProblemException.NotFound("site with Stripe connected", siteId);
            }
            catch (CryptographicException)
            {
                BillingLog.SecretUnreadable(_logger, siteId);
                throw new ApiProblemException(503, "stripe-not-connected", "Stripe keys unreadable", "connect Stripe again");
            }
        }

        // :: Step 2: the raw body (bounded by the server's body limit), verified before it is parsed.
        string json;
        using (var reader = new StreamReader(context.Request.Body))
        {
            json = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        var signature = context.Request.Headers["Stripe-Signature"].ToString();
        if (signature.Length == 0)
        {
            throw Refused(siteId, "stripe-signature", "missing Stripe-Signature header");
        }

        try
        {
            EventUtility.ValidateSignature(json, signature, account.WebhookSecret, ToleranceSeconds, _time.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (StripeException ex)
        {
            // The library's messages say which check failed (no signature matched, timestamp outside the tolerance).
            throw Refused(siteId, "stripe-signature", ex.Message);
        }

        // :: Step 3: the event. Field locations differ between Stripe's API versions, so events of another version are refused.
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ParseEvent(json, throwOnApiVersionMismatch: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Parsing is pure: whatever it throws (StripeException on a version mismatch, Newtonsoft's on broken JSON,
            // casts on wrong types) is the body's fault, so the answer is 400, never 500.
            throw Refused(siteId, "stripe-event", $"not a Stripe event of API version {StripeConfiguration.ApiVersion} (create the webhook endpoint with that version): {ex.Message}");
        }

        // :: Step 4: the event's meaning. Reads and Stripe calls happen here, outside the writer; the change re-checks.
        var handled = await HandleAsync(account, stripeEvent, context.RequestAborted).ConfigureAwait(false);

        // :: Step 5: one transaction: the event id (unique) with what it changes, and the snapshot if tokens changed.
        var created = Unix(stripeEvent.Created);
        var (outcome, duplicate) = await _changes.RunAsync("stripe", $"stripe event {stripeEvent.Id} ({stripeEvent.Type}) for site {siteId}", change =>
        {
            if (WebhookEventRows.OutcomeOf(change, stripeEvent.Id) is { } earlier)
            {
                change.Unchanged = true;
                return (earlier, true);
            }

            var result = handled(change);
            WebhookEventRows.Record(change, stripeEvent.Id, siteId, stripeEvent.Type, created, result);
            return (result, false);
        }, context.RequestAborted).ConfigureAwait(false);

        // :: Step 6: committed (and pushed); only now 200.
        if (!duplicate)
        {
            BillingLog.EventProcessed(_logger, stripeEvent.Id, stripeEvent.Type, siteId, outcome);
        }

        await JsonResponse.WriteAsync(context, 200, new WebhookResponse { EventId = stripeEvent.Id, Type = stripeEvent.Type, Outcome = outcome, Duplicate = duplicate },
            BillingJsonContext.Api.WebhookResponse).ConfigureAwait(false);
    }

    /// <summary>What to do inside the change, prepared with at most one Stripe call (the subscription, re-fetched as the truth).</summary>
    private async Task<Func<Change, string>> HandleAsync(StripeAccount account, Event stripeEvent, CancellationToken cancellationToken)
    {
        var created = Unix(stripeEvent.Created);
        switch (stripeEvent.Type)
        {
            case EventTypes.CheckoutSessionCompleted when stripeEvent.Data.Object is Session session:
            {
                var checkoutId = session.ClientReferenceId ?? session.Metadata?.GetValueOrDefault("edgefence_checkout_id");
                CheckoutRecord? checkout;
                using (var connection = _database.Open())
                {
                    checkout = checkoutId is null ? null : CheckoutRows.Find(connection, null, checkoutId);
                }

                if (checkout is null || checkout.SiteId != account.SiteId || session.Mode != "subscription" || session.SubscriptionId is null)
                {
                    return Ignored("unknown-checkout");
                }

                var state = SubscriptionState.From(await _stripe.GetSubscriptionAsync(account, session.SubscriptionId, cancellationToken).ConfigureAwait(false));
                return change =>
                {
                    Provisioner.Provision(change, checkout, state, created, out var made);
                    change.Unchanged = !made;
                    return made ? "provisioned" : "already-provisioned";
                };
            }

            case EventTypes.CustomerSubscriptionUpdated or EventTypes.CustomerSubscriptionDeleted when stripeEvent.Data.Object is Subscription subscription:
            {
                SubscriptionRecord? known;
                using (var connection = _database.Open())
                {
                    known = SubscriptionRows.Find(connection, null, subscription.Id);
                }

                if (known is null || known.SiteId != account.SiteId)
                {
                    // Not provisioned (yet): the checkout's provisioning fetches the subscription as it is then, so nothing is lost.
                    return Ignored("unknown-subscription");
                }

                if (created < known.StateAtUnix)
                {
                    return Ignored("stale");
                }

                // Stripe does not order events: treat this one as a hint and fetch the subscription as it is now. A deletion is final as it stands.
                var state = stripeEvent.Type == EventTypes.CustomerSubscriptionDeleted
                    ? SubscriptionState.From(subscription) with { Status = "canceled" }
                    : SubscriptionState.From(await _stripe.GetSubscriptionAsync(account, subscription.Id, cancellationToken).ConfigureAwait(false));
                return change =>
                {
                    var current = SubscriptionRows.Find(change.Connection, change.Transaction, subscription.Id)!;
                    if (created < current.StateAtUnix)
                    {
                        change.Unchanged = true;
                        return "stale";
                    }

                    return Provisioner.Apply(change, current, state, created);
                };
            }

            case EventTypes.InvoicePaid or EventTypes.InvoicePaymentFailed when stripeEvent.Data.Object is Invoice invoice:
            {
                var subscriptionId = invoice.Parent?.SubscriptionDetails?.SubscriptionId;
                var paid = stripeEvent.Type == EventTypes.InvoicePaid;
                long? paidThrough = paid && invoice.Lines?.Data is { Count: > 0 } lines && lines[0].Period is { } period ? Unix(period.End) : null;
                return change =>
                {
                    change.Unchanged = true;
                    var current = subscriptionId is null ? null : SubscriptionRows.Find(change.Connection, change.Transaction, subscriptionId);
                    if (current is null || current.SiteId != account.SiteId)
                    {
                        return "unknown-subscription";
                    }

                    if (created < current.PaymentStateAtUnix)
                    {
                        return "stale";
                    }

                    // A paid invoice lifts a suspension; a failure suspends at once when there is no grace period, else
                    // PaymentSuspender does when it is over (and a paid invoice before then means it never does).
                    SubscriptionRows.UpdatePayment(change, current.SubscriptionId, paid ? "paid" : "failed", created, paidThrough);
                    if (paid)
                    {
                        var lifted = Tokens.TokenRows.Unsuspend(change, current.TokenId);
                        change.Unchanged = !lifted;
                        return lifted ? "payment-recorded-unsuspended" : "payment-recorded";
                    }

                    if (_suspendAfter == TimeSpan.Zero && Tokens.TokenRows.Suspend(change, current.TokenId))
                    {
                        change.Unchanged = false;
                        return "payment-failure-suspended";
                    }

                    return "payment-failure-recorded";
                };
            }

            default:
                // Acknowledged, so Stripe stops retrying, and recorded like any other id.
                return Ignored("ignored");
        }
    }

    private static Func<Change, string> Ignored(string outcome) => change =>
    {
        change.Unchanged = true;
        return outcome;
    };

    private ApiProblemException Refused(string siteId, string reason, string detail)
    {
        BillingLog.WebhookRefused(_logger, siteId, detail);
        return new ApiProblemException(400, reason, "Stripe webhook refused", detail);
    }

    private static long Unix(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeSeconds();
}
