using System.Security.Cryptography;
using System.Text;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Plans;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Billing;

/// <summary><c>PUT</c>/<c>GET /v1/sites/{id}/stripe</c>: connect a site's Stripe account, and see whether it is.</summary>
internal sealed partial class StripeConnectionEndpoints
{
    private readonly Database _database;
    private readonly ChangeRunner _changes;
    private readonly StripeSecretBox _box;
    private readonly StripePrices _prices;
    private readonly ILogger _logger;
    private readonly string _meterEvent;

    public StripeConnectionEndpoints(Database database, ChangeRunner changes, StripeSecretBox box, StripePrices prices, string meterEvent, ILogger logger)
    {
        _meterEvent = meterEvent;
        _database = database;
        _changes = changes;
        _box = box;
        _prices = prices;
        _logger = logger;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPut("/v1/sites/{id}/stripe", ConnectAsync);
        app.MapGet("/v1/sites/{id}/stripe", GetAsync);
    }

    /// <summary>
    /// Stores the keys (sealed) and creates the Product and Price of every plan Stripe can sell, all or nothing: if Stripe
    /// refuses the key or cannot be reached, nothing is stored.
    /// </summary>
    private async Task ConnectAsync(HttpContext context)
    {
        // :: Step 1: the body, checked for shape. Keys never appear in an error message.
        var siteId = RouteValues.Id(context);
        var request = await RequestJson.ReadAsync(context, BillingJsonContext.Api.ConnectStripeRequest).ConfigureAwait(false);
        var errors = new RequestErrors();
        var key = errors.Required(request.SecretKey, "secretKey");
        var webhookSecret = errors.Required(request.WebhookSecret, "webhookSecret");
        if (key.Length > 0 && !SecretKeyShape().IsMatch(key))
        {
            errors.Add("secretKey", "must be a Stripe secret key: rk_test_…, rk_live_… (restricted, recommended), sk_test_… or sk_live_…");
        }

        if (webhookSecret.Length > 0 && !WebhookSecretShape().IsMatch(webhookSecret))
        {
            errors.Add("webhookSecret", "must be the webhook endpoint's signing secret, whsec_…");
        }

        errors.ThrowIfAny();

        // :: Step 2: the site and its plans, and whether this is another Stripe account than before (its prices are not ours then).
        List<PlanResponse> plans;
        bool sameKey;
        using (var connection = _database.Open())
        {
            if (!SiteRows.Exists(connection, null, siteId))
            {
                throw ApiProblemException.NotFound("site", siteId);
            }

            plans = PlanRows.ListForSite(connection, null, siteId);
            var previous = OpenOrNull(connection, siteId);
            sameKey = previous is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(previous.SecretKey), Encoding.UTF8.GetBytes(key));
        }

        // :: Step 3: Stripe, before anything is written: Products and Prices for the plans with a price.
        var account = new StripeAccount(siteId, key, webhookSecret);
        var prices = new List<StripePlanPrice>();
        foreach (var plan in plans)
        {
            if (IsBillable(plan))
            {
                prices.Add(await _prices.EnsureAsync(account, plan, ignoreRecorded: !sameKey, context.RequestAborted).ConfigureAwait(false));
            }
        }

        // :: Step 4: one transaction: the sealed keys and the price mappings. No snapshot: the edges never see Stripe.
        var last4 = key[^4..];
        await _changes.RunAsync("stripe", $"site {siteId} connected Stripe", change =>
        {
            change.Unchanged = true;
            if (!SiteRows.Exists(change.Connection, change.Transaction, siteId))
            {
                throw ApiProblemException.NotFound("site", siteId);
            }

            if (!sameKey)
            {
                StripePriceRows.ForgetSite(change, siteId);
                StripeMeterRows.ForgetSite(change, siteId);
            }

            StripeAccountRows.Upsert(change, siteId, _box.Seal(siteId, StripeAccountRows.KeyField, key), _box.Seal(siteId, StripeAccountRows.WebhookField, webhookSecret),
                last4, key.Contains("_live_", StringComparison.Ordinal));
            _prices.Record(change, prices);
            return 0;
        }, context.RequestAborted).ConfigureAwait(false);

        BillingLog.Connected(_logger, siteId, last4, prices.Count);
        await WriteConnectionAsync(context, siteId).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context) => WriteConnectionAsync(context, RouteValues.Id(context));

    private Task WriteConnectionAsync(HttpContext context, string siteId)
    {
        using var connection = _database.Open();
        if (!SiteRows.Exists(connection, null, siteId))
        {
            throw ApiProblemException.NotFound("site", siteId);
        }

        var state = StripeAccountRows.Connection(connection, null, siteId);
        var prices = connection.Command(null, """
            SELECT s.plan_id, s.plan_revision, pr.product_id, s.price_id, s.metered_price_id, m.meter_id FROM stripe_prices s
            JOIN plans p ON p.id = s.plan_id AND p.current_revision = s.plan_revision
            JOIN stripe_products pr ON pr.plan_id = s.plan_id
            LEFT JOIN stripe_meters m ON m.site_id = p.site_id AND m.event_name = $event AND s.metered_price_id IS NOT NULL
            WHERE p.site_id = $site ORDER BY p.created_at_unix, p.id
            """).With("$site", siteId).With("$event", _meterEvent).ReadAll(r => new StripePlanPrice
            {
                PlanId = r.GetString(0),
                PlanRevision = r.GetInt64(1),
                ProductId = r.GetString(2),
                PriceId = r.GetString(3),
                MeteredPriceId = r.IsDBNull(4) ? null : r.GetString(4),
                MeterId = r.IsDBNull(5) ? null : r.GetString(5),
            });
        var body = new StripeConnectionResponse
        {
            Connected = state.Connected,
            KeyLast4 = state.KeyLast4,
            Mode = state.Mode,
            ConnectedAt = state.ConnectedAt,
            WebhookPath = state.WebhookPath,
            Prices = state.Connected ? prices : null,
        };
        return JsonResponse.WriteAsync(context, 200, body, BillingJsonContext.Api.StripeConnectionResponse);
    }

    private StripeAccount? OpenOrNull(Microsoft.Data.Sqlite.SqliteConnection connection, string siteId)
    {
        try
        {
            return StripeAccountRows.Open(connection, null, _box, siteId);
        }
        catch (CryptographicException)
        {
            // Sealed with another key file: treat as a new account, which this connect replaces.
            BillingLog.SecretUnreadable(_logger, siteId);
            return null;
        }
    }

    private static bool IsBillable(PlanResponse plan)
    {
        try
        {
            StripePrices.CheckBillable(plan);
            return true;
        }
        catch (ApiProblemException)
        {
            return false;
        }
    }

    // Stripe's secret keys: a mode, an underscore, then letters and digits; bounded so a huge value is refused, not stored.
    [System.Text.RegularExpressions.GeneratedRegex("^(rk|sk)_(test|live)_[A-Za-z0-9]{8,247}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex SecretKeyShape();

    [System.Text.RegularExpressions.GeneratedRegex("^whsec_[A-Za-z0-9+/=_-]{8,250}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex WebhookSecretShape();
}
