using System.Globalization;
using EdgeFence.ControlPlane.Plans;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.Core.Model;
using Stripe;
using Stripe.Checkout;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// Every call EdgeFence makes to Stripe, through Stripe.net, with one client per site key on one shared
/// <see cref="System.Net.Http.HttpClient"/>. Failures become problems the API answers: Stripe unreachable or
/// too slow is 503, Stripe refusing is 502; the caller has written nothing yet, so nothing is half done.
/// </summary>
internal sealed class StripeGateway : IDisposable
{
    private readonly System.Net.Http.HttpClient _http;
    private readonly string _apiBase;

    public StripeGateway(BillingOptions options)
    {
        // Stripe.net's own default waits 80 s; a checkout page should fail fast and clearly instead.
        _http = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) };
        _apiBase = options.ApiBase.TrimEnd('/');
    }

    /// <summary>The Product of <paramref name="planId"/>; the idempotency key makes a retried create return the first one.</summary>
    public Task<string> CreateProductAsync(StripeAccount account, string planId, string name, CancellationToken cancellationToken) =>
        CallAsync(async () => (await new ProductService(Client(account)).CreateAsync(new ProductCreateOptions
        {
            Name = name,
            Metadata = new Dictionary<string, string> { ["edgefence_site_id"] = account.SiteId, ["edgefence_plan_id"] = planId },
        }, Idempotent("product", planId), cancellationToken).ConfigureAwait(false)).Id);

    /// <summary>A recurring Price for one plan revision: revisions get new Prices, Prices are never edited.</summary>
    public Task<string> CreatePriceAsync(StripeAccount account, string productId, string planId, long revision, PlanTerms terms, CancellationToken cancellationToken) =>
        CallAsync(async () => (await new PriceService(Client(account)).CreateAsync(new PriceCreateOptions
        {
            Product = productId,
            Currency = terms.Currency.ToLowerInvariant(),
            UnitAmountDecimal = StripeAmounts.MinorUnits(terms.PriceMicros, terms.Currency),
            Recurring = new PriceRecurringOptions { Interval = StripeAmounts.Interval(terms.QuotaPeriod), IntervalCount = 1 },
            Metadata = new Dictionary<string, string>
            {
                ["edgefence_plan_id"] = planId,
                ["edgefence_plan_revision"] = revision.ToString(CultureInfo.InvariantCulture),
            },
        }, Idempotent("price", string.Create(CultureInfo.InvariantCulture, $"{planId}.r{revision}")), cancellationToken).ConfigureAwait(false)).Id);

    /// <summary>
    /// The active Billing Meter of the account with <paramref name="eventName"/>, if one exists: Stripe refuses a second
    /// active meter with the same event name, and one an owner made by hand is the one to bill from.
    /// </summary>
    public Task<string?> FindMeterAsync(StripeAccount account, string eventName, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            await foreach (var meter in new Stripe.Billing.MeterService(Client(account)).ListAutoPagingAsync(
                new Stripe.Billing.MeterListOptions { Status = "active", Limit = 100 }, null, cancellationToken).ConfigureAwait(false))
            {
                if (meter.EventName == eventName)
                {
                    return meter.Id;
                }
            }

            return (string?)null;
        });

    /// <summary>
    /// The overage meter: sums the <c>value</c> of the events named <paramref name="eventName"/> per customer, the customer
    /// read from the <c>stripe_customer_id</c> payload key (what <see cref="SendMeterEventAsync"/> sends).
    /// </summary>
    public Task<string> CreateMeterAsync(StripeAccount account, string eventName, CancellationToken cancellationToken) =>
        CallAsync(async () => (await new Stripe.Billing.MeterService(Client(account)).CreateAsync(new Stripe.Billing.MeterCreateOptions
        {
            DisplayName = "EdgeFence overage",
            EventName = eventName,
            DefaultAggregation = new Stripe.Billing.MeterDefaultAggregationOptions { Formula = "sum" },
            CustomerMapping = new Stripe.Billing.MeterCustomerMappingOptions { Type = "by_id", EventPayloadKey = "stripe_customer_id" },
            ValueSettings = new Stripe.Billing.MeterValueSettingsOptions { EventPayloadKey = "value" },
        }, Idempotent("meter", account.SiteId + "." + eventName), cancellationToken).ConfigureAwait(false)).Id);

    /// <summary>
    /// The metered Price of one plan revision, on the plan's Product: Stripe bills the meter's sum for the period at
    /// the revision's overage price per unit. Like the flat Price, a revision gets a new one, never an edited one.
    /// </summary>
    public Task<string> CreateMeteredPriceAsync(StripeAccount account, string productId, string meterId, string planId, long revision, PlanTerms terms, CancellationToken cancellationToken) =>
        CallAsync(async () => (await new PriceService(Client(account)).CreateAsync(new PriceCreateOptions
        {
            Product = productId,
            Currency = terms.Currency.ToLowerInvariant(),
            UnitAmountDecimal = StripeAmounts.MinorUnits(terms.OveragePriceMicros ?? 0, terms.Currency),
            Recurring = new PriceRecurringOptions { Interval = StripeAmounts.Interval(terms.QuotaPeriod), IntervalCount = 1, UsageType = "metered", Meter = meterId },
            Metadata = new Dictionary<string, string>
            {
                ["edgefence_plan_id"] = planId,
                ["edgefence_plan_revision"] = revision.ToString(CultureInfo.InvariantCulture),
                ["edgefence_price"] = "overage",
            },
        }, Idempotent("metered-price", string.Create(CultureInfo.InvariantCulture, $"{planId}.r{revision}")), cancellationToken).ConfigureAwait(false)).Id);

    /// <summary>
    /// A subscription Checkout Session carrying our ids in <c>client_reference_id</c> and both metadata (never a token).
    /// With <paramref name="meteredPriceId"/>, a second line item without a quantity (Stripe refuses one on a metered price);
    /// a pay-as-you-go plan's only Price is its metered one (<paramref name="priceId"/> equal to it): one line item then.
    /// </summary>
    public Task<Session> CreateCheckoutAsync(StripeAccount account, string checkoutId, string planId, string priceId, string? meteredPriceId, string email, string successUrl, string cancelUrl, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>
        {
            ["edgefence_site_id"] = account.SiteId,
            ["edgefence_plan_id"] = planId,
            ["edgefence_checkout_id"] = checkoutId,
        };
        return CallAsync(() => new SessionService(Client(account)).CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = meteredPriceId is null ? [new SessionLineItemOptions { Price = priceId, Quantity = 1 }]
                : meteredPriceId == priceId ? [new SessionLineItemOptions { Price = meteredPriceId }]
                : [new SessionLineItemOptions { Price = priceId, Quantity = 1 }, new SessionLineItemOptions { Price = meteredPriceId }],
            CustomerEmail = email,
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            ClientReferenceId = checkoutId,
            Metadata = metadata,
            SubscriptionData = new SessionSubscriptionDataOptions { Metadata = new Dictionary<string, string>(metadata) },
        }, Idempotent("checkout", checkoutId), cancellationToken));
    }

    public Task<Session> GetCheckoutAsync(StripeAccount account, string sessionId, CancellationToken cancellationToken) =>
        CallAsync(() => new SessionService(Client(account)).GetAsync(sessionId, null, null, cancellationToken));

    public Task<Subscription> GetSubscriptionAsync(StripeAccount account, string subscriptionId, CancellationToken cancellationToken) =>
        CallAsync(() => new SubscriptionService(Client(account)).GetAsync(subscriptionId, null, null, cancellationToken));

    /// <summary>
    /// One Billing meter event: <paramref name="value"/> for <paramref name="customerId"/> under <paramref name="eventName"/>
    /// (the default payload keys of a meter, <c>stripe_customer_id</c> and <c>value</c>). The identifier doubles as the
    /// idempotency key, so a resend within Stripe's 24 h key window returns the first answer, and after it Stripe's own
    /// identifier uniqueness still counts the event once.
    /// </summary>
    public Task SendMeterEventAsync(StripeAccount account, string eventName, string identifier, string customerId, long value, DateTimeOffset timestamp, CancellationToken cancellationToken) =>
        CallAsync(() => new Stripe.Billing.MeterEventService(Client(account)).CreateAsync(new Stripe.Billing.MeterEventCreateOptions
        {
            EventName = eventName,
            Identifier = identifier,
            Timestamp = timestamp.UtcDateTime,
            Payload = new Dictionary<string, string>
            {
                ["stripe_customer_id"] = customerId,
                ["value"] = value.ToString(CultureInfo.InvariantCulture),
            },
        }, Idempotent("meter-event", identifier), cancellationToken));

    public void Dispose() => _http.Dispose();

    private StripeClient Client(StripeAccount account) => new(new StripeClientOptions
    {
        ApiKey = account.SecretKey,
        ApiBase = _apiBase,

        // One retry: Stripe.net retries only what is safe (connection failures, 409/429/5xx with its idempotency key).
        HttpClient = new SystemNetHttpClient(_http, maxNetworkRetries: 1, appInfo: null, enableTelemetry: false),
    });

    // Stripe keeps idempotency keys 24 h: a retry of the same create (our crash between Stripe's answer and our commit) returns the first object.
    private static RequestOptions Idempotent(string kind, string id) => new() { IdempotencyKey = "edgefence-" + kind + "-" + id };

    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (StripeException ex) when (ex.HttpStatusCode == 0 || ex.InnerException is System.Net.Http.HttpRequestException)
        {
            throw Unreachable(ex.Message);
        }
        catch (StripeException ex)
        {
            // Stripe's messages mask keys ("rk_test_****1234") and name the parameter at fault: safe and useful to pass on.
            var code = ex.StripeError?.Code is { Length: > 0 } c ? c + ": " : "";
            throw new ApiProblemException(502, "stripe-error", "Stripe refused the request",
                string.Create(CultureInfo.InvariantCulture, $"Stripe answered {(int)ex.HttpStatusCode}: {code}{ex.StripeError?.Message ?? ex.Message}"));
        }
        catch (System.Net.Http.HttpRequestException ex)
        {
            throw Unreachable(ex.Message);
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            throw Unreachable("no answer within the timeout");
        }
    }

    private static ApiProblemException Unreachable(string detail) =>
        new(503, "stripe-unavailable", "Stripe is unreachable", "Stripe could not be reached (" + detail + "); nothing was changed, try again");
}
