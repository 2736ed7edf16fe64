using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeFence.DemoStripe;

/// <summary>
/// A small Stripe API on loopback for exactly the endpoints EdgeFence calls (products, prices, checkout sessions,
/// subscriptions, billing meters and meter events), with objects shaped from Stripe's API reference for version 2026-10-28.endive (the one Stripe.net
/// 53.1.0 pins), Stripe-style form decoding, bearer key check, idempotency keys and error bodies. It plays the
/// customer's side too (a checkout page at each session's url, paying, changing plan, cancelling, invoices), keeps one
/// webhook endpoint (<c>POST /v1/webhook_endpoints</c>), and sends the resulting events as webhooks
/// signed with Stripe's scheme, computed here independently of Stripe.net: <c>t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256&gt;</c>
/// keyed with the UTF-8 of the whole <c>whsec_</c> string over <c>t + "." + body</c>.
/// </summary>
public sealed class LocalStripeApi : IAsyncDisposable
{
    public const string ApiVersion = "2026-10-28.endive";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Path, string Body)> _idempotent = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _sequence;

    private LocalStripeApi(WebApplication app, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
    }

    /// <summary>The one secret key this account accepts.</summary>
    public string ApiKey { get; }

    public string WebhookSecret { get; private init; } = "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>Where events are delivered (the control plane's webhook endpoint for the site).</summary>
    public string? WebhookUrl { get; set; }

    public string Url => _app.Urls.First();

    public ConcurrentQueue<StripeCall> Calls { get; } = new();

    /// <summary>Every webhook body sent, as sent.</summary>
    public ConcurrentQueue<string> SentEvents { get; } = new();

    /// <param name="url">Where to listen (loopback; port 0 picks one).</param>
    /// <param name="webhookSecret">The signing secret of the webhook endpoint; null: a random one.</param>
    public static async Task<LocalStripeApi> StartAsync(string apiKey = "rk_test_51LocalStripeKey0123456789abcd", string url = "http://127.0.0.1:0", string? webhookSecret = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stripe = new LocalStripeApi(app, apiKey) { WebhookSecret = webhookSecret ?? "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) };
        app.Run(stripe.HandleAsync);
        await app.StartAsync();
        return stripe;
    }

    public JsonObject Object(string id) => _objects[id];

    public IEnumerable<JsonObject> ObjectsOf(string kind) => _objects.Values.Where(o => (string?)o["object"] == kind);

    // ---- The API EdgeFence calls ----

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            foreach (var (name, value) in await request.ReadFormAsync())
            {
                form[name] = value.ToString();
            }
        }

        // The customer's side needs no key: the checkout page a session's url points at.
        if (request.Path.StartsWithSegments("/pay", out var rest) && rest.Value is { Length: > 1 } sessionPath)
        {
            await CheckoutPageAsync(context, sessionPath[1..]);
            return;
        }

        var auth = request.Headers.Authorization.ToString();
        var key = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null;
        var idempotencyKey = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } k ? k : null;
        Calls.Enqueue(new StripeCall(request.Method, request.Path.Value ?? "", form, idempotencyKey, key, request.Headers["Stripe-Version"].ToString()));

        if (key != ApiKey)
        {
            var masked = key is { Length: > 12 } ? key[..8] + "****" + key[^4..] : "****";
            await ErrorAsync(context, 401, "invalid_request_error", null, $"Invalid API Key provided: {masked}");
            return;
        }

        // Stripe answers a repeated idempotency key with the first answer (same endpoint), without doing the work again.
        if (idempotencyKey is not null && request.Method == "POST" && _idempotent.TryGetValue(idempotencyKey, out var first) && first.Path == request.Path.Value)
        {
            if (LoseAnswer?.Invoke(first.Path, form) == true)
            {
                context.Abort();
                return;
            }

            await JsonAsync(context, 200, first.Body);
            return;
        }

        var path = request.Path.Value ?? "";
        JsonObject? answer;
        try
        {
            answer = (request.Method, path) switch
            {
                ("POST", "/v1/products") => CreateProduct(form),
                ("POST", "/v1/prices") => CreatePrice(form),
                ("POST", "/v1/checkout/sessions") => CreateSession(form),
                ("POST", "/v1/billing/meters") => CreateMeter(form),
                ("GET", "/v1/billing/meters") => ListMeters(request.Query["status"].ToString(), request.Query["limit"].ToString()),
                ("POST", "/v1/billing/meter_events") => CreateMeterEvent(form),
                ("POST", "/v1/webhook_endpoints") => CreateWebhookEndpoint(form),
                ("GET", _) when path.StartsWith("/v1/checkout/sessions/", StringComparison.Ordinal) => Find(path["/v1/checkout/sessions/".Length..], "checkout.session"),
                ("GET", _) when path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal) => Find(path["/v1/subscriptions/".Length..], "subscription"),
                _ => null,
            };
        }
        catch (InvalidRequestException ex)
        {
            await ErrorAsync(context, 400, "invalid_request_error", ex.Code, ex.Message, ex.Param);
            return;
        }

        if (answer is null && FailMeterEvents && path == "/v1/billing/meter_events")
        {
            await ErrorAsync(context, 500, "api_error", null, "Something went wrong on Stripe's end (simulated after the event was stored).");
            return;
        }

        if (answer is null)
        {
            await ErrorAsync(context, 404, "invalid_request_error", "resource_missing", $"Unrecognized request URL or no such object ({request.Method} {path}).");
            return;
        }

        var body = answer.ToJsonString();
        if (idempotencyKey is not null && request.Method == "POST")
        {
            _idempotent.TryAdd(idempotencyKey, (path, body));
        }

        if (LoseAnswer?.Invoke(path, form) == true)
        {
            // Stripe did the work; the network lost the answer (the connection drops before a byte of it).
            context.Abort();
            return;
        }

        await JsonAsync(context, 200, body);
    }

    /// <summary>
    /// When it says yes to a request's path and form, the request is carried out (and its idempotency key remembered)
    /// but the connection drops before the answer, replays included: the caller cannot know Stripe made the object.
    /// </summary>
    public Func<string, IReadOnlyDictionary<string, string>, bool>? LoseAnswer { get; set; }

    /// <summary>
    /// A Billing Meter (<c>POST /v1/billing/meters</c>): Stripe refuses a second active meter with the same event name.
    /// The customer is read from the payload key of <c>customer_mapping</c>, the value from <c>value_settings</c>.
    /// </summary>
    private JsonObject CreateMeter(Dictionary<string, string> form)
    {
        var eventName = Required(form, "event_name");
        var displayName = Required(form, "display_name");
        var formula = Required(form, "default_aggregation[formula]");
        if (formula is not ("sum" or "count" or "last"))
        {
            throw new InvalidRequestException("default_aggregation[formula]", $"Invalid default_aggregation[formula]: must be one of count, last, or sum");
        }

        lock (_lock)
        {
            if (ObjectsOf("billing.meter").Any(m => (string?)m["event_name"] == eventName && (string?)m["status"] == "active"))
            {
                throw new InvalidRequestException("event_name", $"An active meter with event_name '{eventName}' already exists.");
            }

            var now = Now();
            return Store(new JsonObject
            {
                ["id"] = NewId("mtr"),
                ["object"] = "billing.meter",
                ["created"] = now,
                ["customer_mapping"] = new JsonObject
                {
                    ["event_payload_key"] = form.GetValueOrDefault("customer_mapping[event_payload_key]", "stripe_customer_id"),
                    ["type"] = form.GetValueOrDefault("customer_mapping[type]", "by_id"),
                },
                ["default_aggregation"] = new JsonObject { ["formula"] = formula },
                ["display_name"] = displayName,
                ["event_name"] = eventName,
                ["event_time_window"] = form.GetValueOrDefault("event_time_window"),
                ["livemode"] = false,
                ["status"] = "active",
                ["status_transitions"] = new JsonObject { ["deactivated_at"] = null },
                ["updated"] = now,
                ["value_settings"] = new JsonObject { ["event_payload_key"] = form.GetValueOrDefault("value_settings[event_payload_key]", "value") },
            });
        }
    }

    /// <summary><c>GET /v1/billing/meters</c>: a list object, newest first, filtered by status, at most <c>limit</c> (default 10, at most 100).</summary>
    private JsonObject ListMeters(string status, string limit)
    {
        var max = limit.Length == 0 ? 10 : int.Parse(limit, CultureInfo.InvariantCulture);
        if (max is < 1 or > 100)
        {
            throw new InvalidRequestException("limit", "Invalid limit: must be between 1 and 100");
        }

        var meters = ObjectsOf("billing.meter").Where(m => status.Length == 0 || (string?)m["status"] == status)
            .OrderByDescending(m => (string?)m["id"], StringComparer.Ordinal).ToList();
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. meters.Take(max).Select(m => (JsonNode)m.DeepClone())]),
            ["has_more"] = meters.Count > max,
            ["url"] = "/v1/billing/meters",
        };
    }

    /// <summary>A meter made outside EdgeFence (the API owner, in the dashboard), with Stripe's default payload keys.</summary>
    public string CreateMeterByHand(string eventName) => (string)CreateMeter(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["display_name"] = "Made by hand",
        ["event_name"] = eventName,
        ["default_aggregation[formula]"] = "sum",
    })["id"]!;

    private static string Required(Dictionary<string, string> form, string name) =>
        form.GetValueOrDefault(name) is { Length: > 0 } value ? value : throw new InvalidRequestException(name, $"Missing required param: {name}.");

    /// <summary>
    /// Meter events as Stripe keeps them: one per identifier (Stripe enforces identifier uniqueness for at least 24 h;
    /// here a repeat is dropped and answered with the first). With <see cref="FailMeterEvents"/> the event is stored
    /// but the answer is a 500: Stripe took it and the caller does not know, the case a resend must not double.
    /// </summary>
    private JsonObject? CreateMeterEvent(Dictionary<string, string> form)
    {
        var identifier = form.GetValueOrDefault("identifier") ?? NewId("mev");
        var meterEvent = MeterEvents.GetOrAdd(identifier, id => new JsonObject
        {
            ["object"] = "billing.meter_event",
            ["created"] = Now(),
            ["event_name"] = form["event_name"],
            ["identifier"] = id,
            ["livemode"] = false,
            ["payload"] = Metadata(form, "payload"),
            ["timestamp"] = long.Parse(form.GetValueOrDefault("timestamp", Now().ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
        });
        return FailMeterEvents ? null : meterEvent;
    }

    /// <summary>The account's one webhook endpoint: events go to its url, signed with <see cref="WebhookSecret"/>, which the answer shows (as Stripe does on create).</summary>
    private JsonObject CreateWebhookEndpoint(Dictionary<string, string> form)
    {
        WebhookUrl = form["url"];
        return Store(new JsonObject
        {
            ["id"] = NewId("we"),
            ["object"] = "webhook_endpoint",
            ["api_version"] = form.GetValueOrDefault("api_version", ApiVersion),
            ["created"] = Now(),
            ["livemode"] = false,
            ["secret"] = WebhookSecret,
            ["status"] = "enabled",
            ["url"] = WebhookUrl,
        });
    }

    /// <summary>
    /// The checkout page of a session: GET shows a pay button, POST pays (<see cref="Pay"/>), delivers
    /// <c>checkout.session.completed</c> to the webhook endpoint, and redirects to the session's success URL.
    /// </summary>
    private async Task CheckoutPageAsync(HttpContext context, string sessionId)
    {
        if (!_objects.TryGetValue(sessionId, out var session) || (string?)session["object"] != "checkout.session")
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("no such checkout session");
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync($"<!doctype html><title>Local checkout</title><form method=post><p>Subscription for {System.Net.WebUtility.HtmlEncode((string?)session["customer_email"])}</p><button>Pay (nothing moves: a local Stripe)</button></form>");
            return;
        }

        if ((string?)session["status"] == "open")
        {
            Pay(sessionId);
            if (WebhookUrl is not null)
            {
                await DeliverAsync(CheckoutCompleted(sessionId));
            }
        }

        context.Response.StatusCode = 303;
        context.Response.Headers.Location = ((string?)session["success_url"] ?? "/").Replace("{CHECKOUT_SESSION_ID}", sessionId, StringComparison.Ordinal);
    }

    /// <summary>Meter events received, by identifier (each once, however often it was sent).</summary>
    public ConcurrentDictionary<string, JsonObject> MeterEvents { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, meter events are stored but answered with a 500 (see <see cref="CreateMeterEvent"/>).</summary>
    public bool FailMeterEvents { get; set; }

    private JsonObject CreateProduct(Dictionary<string, string> form) => Store(new JsonObject
    {
        ["id"] = NewId("prod"),
        ["object"] = "product",
        ["active"] = true,
        ["created"] = Now(),
        ["livemode"] = false,
        ["metadata"] = Metadata(form, "metadata"),
        ["name"] = form.GetValueOrDefault("name"),
        ["type"] = "service",
    });

    /// <summary>
    /// A recurring Price: <c>licensed</c> (billed per quantity) or <c>metered</c>, which in this API version must name
    /// an active Billing Meter (<c>recurring[meter]</c>) and bills the meter's aggregate for the period.
    /// </summary>
    private JsonObject CreatePrice(Dictionary<string, string> form)
    {
        var amount = decimal.Parse(form["unit_amount_decimal"], CultureInfo.InvariantCulture);
        var usageType = form.GetValueOrDefault("recurring[usage_type]", "licensed");
        var meter = form.GetValueOrDefault("recurring[meter]");
        if (usageType is not ("licensed" or "metered"))
        {
            throw new InvalidRequestException("recurring[usage_type]", "Invalid recurring[usage_type]: must be one of licensed or metered");
        }

        if (usageType == "metered" && (meter is null || !_objects.TryGetValue(meter, out var found) || (string?)found["object"] != "billing.meter" || (string?)found["status"] != "active"))
        {
            throw new InvalidRequestException("recurring[meter]", meter is null ? "Metered prices must be backed by a meter: pass recurring[meter]." : $"No such billing meter: '{meter}'");
        }

        if (usageType == "licensed" && meter is not null)
        {
            throw new InvalidRequestException("recurring[meter]", "recurring[meter] can only be set when recurring[usage_type] is metered.");
        }

        return Store(new JsonObject
        {
            ["id"] = NewId("price"),
            ["object"] = "price",
            ["active"] = true,
            ["billing_scheme"] = "per_unit",
            ["created"] = Now(),
            ["currency"] = form["currency"],
            ["livemode"] = false,
            ["metadata"] = Metadata(form, "metadata"),
            ["product"] = form["product"],
            ["recurring"] = new JsonObject
            {
                ["interval"] = form["recurring[interval]"],
                ["interval_count"] = int.Parse(form.GetValueOrDefault("recurring[interval_count]", "1"), CultureInfo.InvariantCulture),
                ["meter"] = meter,
                ["usage_type"] = usageType,
            },
            ["type"] = "recurring",
            ["unit_amount"] = decimal.Truncate(amount) == amount ? (long)amount : null,
            ["unit_amount_decimal"] = amount.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>
    /// A subscription Checkout Session with one or more line items: a licensed price needs a quantity, a metered price
    /// must have none (Stripe: quantity is not allowed for metered prices; usage decides what is billed).
    /// </summary>
    private JsonObject CreateSession(Dictionary<string, string> form)
    {
        var lineItems = new JsonArray();
        for (var i = 0; form.TryGetValue($"line_items[{i}][price]", out var priceId); i++)
        {
            if (!_objects.TryGetValue(priceId, out var price) || (string?)price["object"] != "price")
            {
                throw new InvalidRequestException($"line_items[{i}][price]", $"No such price: '{priceId}'");
            }

            var metered = (string?)price["recurring"]?["usage_type"] == "metered";
            var quantity = form.GetValueOrDefault($"line_items[{i}][quantity]");
            if (metered && quantity is not null)
            {
                throw new InvalidRequestException($"line_items[{i}][quantity]", "Quantity should not be specified where usage_type is `metered`. Remove quantity from `line_items[" + i.ToString(CultureInfo.InvariantCulture) + "]`.");
            }

            if (!metered && quantity is null)
            {
                throw new InvalidRequestException($"line_items[{i}][quantity]", "Quantity is required. Add `quantity` to `line_items[" + i.ToString(CultureInfo.InvariantCulture) + "]`.");
            }

            lineItems.Add(new JsonObject { ["price"] = priceId, ["quantity"] = quantity is null ? null : long.Parse(quantity, CultureInfo.InvariantCulture) });
        }

        if (lineItems.Count == 0)
        {
            throw new InvalidRequestException("line_items", "Missing required param: line_items.");
        }

        var id = "cs_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return Store(new JsonObject
        {
            ["id"] = id,
            ["object"] = "checkout.session",
            ["cancel_url"] = form.GetValueOrDefault("cancel_url"),
            ["client_reference_id"] = form.GetValueOrDefault("client_reference_id"),
            ["created"] = Now(),
            ["currency"] = null,
            ["customer"] = null,
            ["customer_email"] = form.GetValueOrDefault("customer_email"),
            ["expires_at"] = Now() + 86_400,
            ["livemode"] = false,
            ["metadata"] = Metadata(form, "metadata"),
            ["mode"] = form.GetValueOrDefault("mode"),
            ["payment_status"] = "unpaid",
            ["status"] = "open",
            ["subscription"] = null,
            ["success_url"] = form.GetValueOrDefault("success_url"),
            ["url"] = $"{Url}/pay/{id}",

            // Kept for the "customer pays" step: the line items and the subscription's metadata, as Stripe would use them.
            ["_line_items"] = lineItems,
            ["_subscription_metadata"] = Metadata(form, "subscription_data[metadata]"),
        });
    }

    // ---- The customer's and Stripe's side ----

    /// <summary>The customer pays: a customer and an active subscription exist, the session is complete (no webhook sent).</summary>
    public string Pay(string sessionId)
    {
        lock (_lock)
        {
            var session = _objects[sessionId];
            var customerId = NewId("cus");
            var subscriptionId = NewId("sub");
            var lineItems = session["_line_items"]!.AsArray();
            var price = _objects[(string)lineItems[0]!["price"]!];
            var now = Now();
            Store(new JsonObject
            {
                ["id"] = subscriptionId,
                ["object"] = "subscription",
                ["billing_cycle_anchor"] = now,
                ["cancel_at_period_end"] = false,
                ["canceled_at"] = null,
                ["created"] = now,
                ["currency"] = price["currency"]?.DeepClone(),
                ["customer"] = customerId,
                ["items"] = new JsonObject
                {
                    ["object"] = "list",
                    ["data"] = new JsonArray([.. lineItems.Select(l => (JsonNode)Item(subscriptionId, _objects[(string)l!["price"]!], now, (long?)l["quantity"]))]),
                    ["has_more"] = false,
                    ["total_count"] = lineItems.Count,
                    ["url"] = "/v1/subscription_items?subscription=" + subscriptionId,
                },
                ["livemode"] = false,
                ["metadata"] = session["_subscription_metadata"]!.DeepClone(),
                ["start_date"] = now,
                ["status"] = "active",
            });
            session["customer"] = customerId;
            session["subscription"] = subscriptionId;
            session["status"] = "complete";
            session["payment_status"] = "paid";
            return subscriptionId;
        }
    }

    /// <summary>The customer switches plan (Stripe replaces the item's price); answers the event, not yet sent.</summary>
    public JsonObject ChangePrice(string subscriptionId, string priceId, long? created = null)
    {
        lock (_lock)
        {
            var subscription = _objects[subscriptionId];
            var items = subscription["items"]!["data"]!.AsArray();
            var previous = items.DeepClone();
            items.Clear();
            items.Add(Item(subscriptionId, _objects[priceId], Now()));
            return Event("customer.subscription.updated", subscription, new JsonObject { ["items"] = new JsonObject { ["data"] = previous } }, created);
        }
    }

    /// <summary>The subscription is canceled now; answers <c>customer.subscription.deleted</c>.</summary>
    public JsonObject Cancel(string subscriptionId, long? created = null)
    {
        lock (_lock)
        {
            var subscription = _objects[subscriptionId];
            subscription["status"] = "canceled";
            subscription["canceled_at"] = Now();
            subscription["ended_at"] = Now();
            return Event("customer.subscription.deleted", subscription, null, created);
        }
    }

    /// <summary><c>checkout.session.completed</c> for a paid session.</summary>
    public JsonObject CheckoutCompleted(string sessionId, long? created = null)
    {
        var session = _objects[sessionId].DeepClone().AsObject();
        session.Remove("_line_items");
        session.Remove("_subscription_metadata");
        return Event("checkout.session.completed", session, null, created);
    }

    /// <summary><c>invoice.paid</c> or <c>invoice.payment_failed</c> for the subscription's current period.</summary>
    public JsonObject Invoice(string subscriptionId, bool paid, long? created = null)
    {
        var subscription = _objects[subscriptionId];
        var item = subscription["items"]!["data"]![0]!;
        var price = item["price"]!;
        var amount = (long?)price["unit_amount"] ?? 0;
        var invoice = new JsonObject
        {
            ["id"] = NewId("in"),
            ["object"] = "invoice",
            ["amount_due"] = amount,
            ["amount_paid"] = paid ? amount : 0,
            ["amount_remaining"] = paid ? 0 : amount,
            ["attempt_count"] = 1,
            ["billing_reason"] = "subscription_cycle",
            ["created"] = Now(),
            ["currency"] = price["currency"]!.DeepClone(),
            ["customer"] = subscription["customer"]!.DeepClone(),
            ["livemode"] = false,
            ["parent"] = new JsonObject
            {
                ["type"] = "subscription_details",
                ["quote_details"] = null,
                ["subscription_details"] = new JsonObject { ["metadata"] = subscription["metadata"]!.DeepClone(), ["subscription"] = subscriptionId },
            },
            ["lines"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = NewId("il"),
                    ["object"] = "line_item",
                    ["amount"] = amount,
                    ["currency"] = price["currency"]!.DeepClone(),
                    ["period"] = new JsonObject { ["start"] = item["current_period_start"]!.DeepClone(), ["end"] = item["current_period_end"]!.DeepClone() },
                    ["pricing"] = new JsonObject
                    {
                        ["type"] = "price_details",
                        ["price_details"] = new JsonObject { ["price"] = price["id"]!.DeepClone(), ["product"] = price["product"]!.DeepClone() },
                        ["unit_amount_decimal"] = price["unit_amount_decimal"]!.DeepClone(),
                    },
                    ["quantity"] = 1,
                }),
                ["has_more"] = false,
                ["url"] = "/v1/invoices/lines",
            },
            ["status"] = paid ? "paid" : "open",
        };
        return Event(paid ? "invoice.paid" : "invoice.payment_failed", invoice, null, created);
    }

    /// <summary>An event of any type around <paramref name="data"/>, shaped as Stripe sends it.</summary>
    public JsonObject Event(string type, JsonObject data, JsonObject? previousAttributes = null, long? created = null, string apiVersion = ApiVersion)
    {
        var eventData = new JsonObject { ["object"] = data.DeepClone() };
        if (previousAttributes is not null)
        {
            eventData["previous_attributes"] = previousAttributes;
        }

        return new JsonObject
        {
            ["id"] = NewId("evt"),
            ["object"] = "event",
            ["api_version"] = apiVersion,
            ["created"] = created ?? Now(),
            ["data"] = eventData,
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
        };
    }

    /// <summary>Sends <paramref name="stripeEvent"/> to <see cref="WebhookUrl"/> signed as Stripe does (or with the given header).</summary>
    public Task<(int Status, string Body)> DeliverAsync(JsonObject stripeEvent, long? signedAt = null, string? secret = null, string? signatureHeader = null) =>
        DeliverRawAsync(stripeEvent.ToJsonString(), signatureHeader ?? Sign(stripeEvent.ToJsonString(), signedAt ?? Now(), secret ?? WebhookSecret));

    public async Task<(int Status, string Body)> DeliverRawAsync(string body, string? signatureHeader)
    {
        SentEvents.Enqueue(body);
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (signatureHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signatureHeader);
        }

        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Stripe's webhook signature header for <paramref name="body"/>.</summary>
    public static string Sign(string body, long timestamp, string secret)
    {
        var signed = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body));
        return string.Create(CultureInfo.InvariantCulture, $"t={timestamp},v1={Convert.ToHexStringLower(signed)}");
    }

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Stripe goes away: its port stops answering (webhooks can still be sent from here).</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A subscription item; a metered one has no quantity (Stripe bills the meter's aggregate), so none is sent.</summary>
    private JsonObject Item(string subscriptionId, JsonObject price, long start, long? quantity = 1)
    {
        var item = new JsonObject
        {
            ["id"] = NewId("si"),
            ["object"] = "subscription_item",
            ["created"] = start,
            ["current_period_end"] = start + (30 * 86_400),
            ["current_period_start"] = start,
            ["metadata"] = new JsonObject(),
            ["price"] = price.DeepClone(),
            ["quantity"] = quantity,
            ["subscription"] = subscriptionId,
        };
        if (quantity is null)
        {
            item.Remove("quantity");
        }

        return item;
    }

    private JsonObject? Find(string id, string kind)
    {
        if (!_objects.TryGetValue(id, out var found) || (string?)found["object"] != kind)
        {
            return null;
        }

        var copy = found.DeepClone().AsObject();
        copy.Remove("_line_items");
        copy.Remove("_subscription_metadata");
        return copy;
    }

    private JsonObject Store(JsonObject value)
    {
        _objects[(string)value["id"]!] = value;
        var copy = value.DeepClone().AsObject();
        copy.Remove("_line_items");
        copy.Remove("_subscription_metadata");
        return copy;
    }

    private string NewId(string prefix) => prefix + "_" + Interlocked.Increment(ref _sequence).ToString("D6", CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private static JsonObject Metadata(Dictionary<string, string> form, string prefix)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in form)
        {
            if (key.StartsWith(prefix + "[", StringComparison.Ordinal) && key.EndsWith(']') && key.IndexOf('[', prefix.Length + 1) < 0)
            {
                metadata[key[(prefix.Length + 1)..^1]] = value;
            }
        }

        return metadata;
    }

    private static Task JsonAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["Request-Id"] = "req_local";
        return context.Response.WriteAsync(body);
    }

    private static Task ErrorAsync(HttpContext context, int status, string type, string? code, string message, string? param = null) =>
        JsonAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message, ["param"] = param } }.ToJsonString());

    /// <summary>A 400 <c>invalid_request_error</c> naming the parameter at fault, as Stripe answers one.</summary>
    private sealed class InvalidRequestException(string param, string message) : Exception(message)
    {
        public string Param { get; } = param;

        public string? Code { get; } = message.StartsWith("Missing", StringComparison.Ordinal) ? "parameter_missing" : message.StartsWith("No such", StringComparison.Ordinal) ? "resource_missing" : null;
    }
}
