using System.Security.Cryptography;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Plans;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Secrets;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Billing;

/// <summary><c>POST /v1/sites/{id}/checkout</c>: a Stripe Checkout Session for one plan, and the claim URL that will give its token.</summary>
internal sealed partial class CheckoutEndpoint
{
    /// <summary>Longest URL or email accepted: more is not a real address, and it would be stored and sent to Stripe.</summary>
    private const int MaxUrlLength = 2048;

    private const int MaxEmailLength = 254;

    private readonly Database _database;
    private readonly ChangeRunner _changes;
    private readonly StripeSecretBox _box;
    private readonly StripePrices _prices;
    private readonly StripeGateway _stripe;
    private readonly BillingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CheckoutEndpoint(Database database, ChangeRunner changes, StripeSecretBox box, StripePrices prices, StripeGateway stripe, BillingOptions options, TimeProvider time, ILogger logger)
    {
        _database = database;
        _changes = changes;
        _box = box;
        _prices = prices;
        _stripe = stripe;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public void Map(IEndpointRouteBuilder app) => app.MapPost("/v1/sites/{id}/checkout", CreateAsync);

    private async Task CreateAsync(HttpContext context)
    {
        // :: Step 1: the body.
        var siteId = RouteValues.Id(context);
        var request = await RequestJson.ReadAsync(context, BillingJsonContext.Api.CheckoutRequest).ConfigureAwait(false);
        var errors = new RequestErrors();
        var planId = errors.Required(request.PlanId, "planId");
        var email = errors.Required(request.Customer?.Email, "customer.email");
        if (email.Length > 0 && (email.Length > MaxEmailLength || !EmailShape().IsMatch(email)))
        {
            errors.Add("customer.email", "must be an email address");
        }

        var customerRef = request.Customer?.Id;
        if (customerRef is not null && !CustomerRefShape().IsMatch(customerRef))
        {
            // It goes to the origin in a header: printable, no spaces, bounded.
            errors.Add("customer.id", "1-128 letters, digits or . _ : @ + -");
        }

        var successUrl = Url(errors, request.SuccessUrl, "successUrl");
        var cancelUrl = Url(errors, request.CancelUrl, "cancelUrl");
        errors.ThrowIfAny();

        // :: Step 2: the site's Stripe account and the plan, which must be this site's and sellable.
        StripeAccount account;
        PlanResponse plan;
        using (var connection = _database.Open())
        {
            if (!SiteRows.Exists(connection, null, siteId))
            {
                throw ApiProblemException.NotFound("site", siteId);
            }

            account = Open(connection, siteId) ?? throw new ApiProblemException(409, "stripe-not-connected", "Stripe is not connected", $"site '{siteId}' has no Stripe account; PUT /v1/sites/{siteId}/stripe first");
            var found = PlanRows.Find(connection, null, planId);
            plan = found is not null && found.SiteId == siteId ? found : throw ApiProblemException.Invalid("planId", $"no plan '{planId}' on site '{siteId}'");
        }

        StripePrices.CheckBillable(plan);

        // :: Step 3: Stripe: the revision's Price (made now if the plan changed since), with an overage price its metered
        // Price on the overage meter (the meter made first if the site has none), then the session. Nothing is written
        // before Stripe has answered both, so an unreachable Stripe leaves no checkout behind.
        var price = await _prices.EnsureAsync(account, plan, ignoreRecorded: false, context.RequestAborted).ConfigureAwait(false);
        await _prices.RecordAsync($"price of plan {plan.Id} revision {plan.Revision}", [price], context.RequestAborted).ConfigureAwait(false);
        var checkoutId = SecretGenerator.Id("chk");
        var session = await _stripe.CreateCheckoutAsync(account, checkoutId, plan.Id, price.PriceId, price.MeteredPriceId, email, successUrl, cancelUrl, context.RequestAborted).ConfigureAwait(false);

        // :: Step 4: the checkout and its claim code's hash, in one transaction. The code itself is only in this answer.
        var code = ClaimCode.New();
        var expires = _time.GetUtcNow().AddHours(_options.ClaimTtlHours);
        var checkout = new CheckoutRecord(checkoutId, siteId, plan.Id, plan.Revision, customerRef, email, session.Id, expires.ToUnixTimeSeconds(), null);
        await _changes.RunAsync("stripe", $"checkout {checkoutId} created on site {siteId}", change =>
        {
            change.Unchanged = true;
            CheckoutRows.Insert(change, checkout, ClaimCode.Hash(code));
            return 0;
        }, context.RequestAborted).ConfigureAwait(false);

        BillingLog.CheckoutCreated(_logger, checkoutId, plan.Id, siteId, session.Id);
        var claimUrl = $"{context.Request.Scheme}://{context.Request.Host}{ClaimEndpoint.Path}?code={code}";
        await JsonResponse.WriteAsync(context, StatusCodes.Status201Created, new CheckoutResponse
        {
            CheckoutId = checkoutId,
            SessionId = session.Id,
            Url = session.Url,
            ClaimUrl = claimUrl,
            ClaimExpiresAt = DateTimeOffset.FromUnixTimeSeconds(checkout.ClaimExpiresAtUnix),
        }, BillingJsonContext.Api.CheckoutResponse).ConfigureAwait(false);
    }

    private StripeAccount? Open(Microsoft.Data.Sqlite.SqliteConnection connection, string siteId)
    {
        try
        {
            return StripeAccountRows.Open(connection, null, _box, siteId);
        }
        catch (CryptographicException)
        {
            BillingLog.SecretUnreadable(_logger, siteId);
            throw new ApiProblemException(409, "stripe-not-connected", "Stripe is not connected", $"the Stripe keys of site '{siteId}' cannot be read with this control plane's key file; connect Stripe again");
        }
    }

    private static string Url(RequestErrors errors, string? value, string field)
    {
        var url = errors.Required(value, field);
        if (url.Length > 0 && (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http")))
        {
            errors.Add(field, "must be an absolute http(s) URL of at most 2048 characters");
        }

        return url;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex EmailShape();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._:@+-]{1,128}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex CustomerRefShape();
}
