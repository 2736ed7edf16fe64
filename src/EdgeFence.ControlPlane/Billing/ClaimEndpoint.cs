using System.Security.Cryptography;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Secrets;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Tokens;
using EdgeFence.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// <c>POST /claims?code=…</c>: the customer's token, once. No admin key (the customer has none): the code is the
/// credential. POST only, so a link preview or a crawler following the URL cannot use it up. The code is in the query,
/// not the path, because log scopes carry the request path into every line logged while the request runs.
/// </summary>
internal sealed class ClaimEndpoint
{
    public const string Path = "/claims";

    private readonly Database _database;
    private readonly ChangeRunner _changes;
    private readonly StripeSecretBox _box;
    private readonly StripeGateway _stripe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ClaimEndpoint(Database database, ChangeRunner changes, StripeSecretBox box, StripeGateway stripe, TimeProvider time, ILogger logger)
    {
        _database = database;
        _changes = changes;
        _box = box;
        _stripe = stripe;
        _time = time;
        _logger = logger;
    }

    public void Map(IEndpointRouteBuilder app) => app.MapPost(Path, ClaimAsync);

    private async Task ClaimAsync(HttpContext context)
    {
        // :: Step 1: the checkout the code belongs to, found by the code's hash.
        var code = context.Request.Query["code"] is { Count: 1 } values ? values[0] ?? "" : "";
        var checkout = code.Length is > 0 and <= ClaimCode.MaxLength ? Find(ClaimCode.Hash(code)) : null;
        if (checkout is null)
        {
            throw new ApiProblemException(404, "claim-not-found", "Unknown claim", "no claim with this code");
        }

        CheckUsable(checkout, _time.GetUtcNow().ToUnixTimeSeconds());

        // :: Step 2: back before Stripe's webhook? Ask Stripe whether the checkout is paid, and provision from that.
        SubscriptionState? state = null;
        bool provisioned;
        using (var connection = _database.Open())
        {
            provisioned = SubscriptionRows.FindByCheckout(connection, null, checkout.Id) is not null;
        }

        if (!provisioned)
        {
            StripeAccount account;
            using (var connection = _database.Open())
            {
                try
                {
                    account = StripeAccountRows.Open(connection, null, _box, checkout.SiteId) ?? throw NotPaid();
                }
                catch (CryptographicException)
                {
                    throw NotPaid();
                }
            }

            var session = await _stripe.GetCheckoutAsync(account, checkout.SessionId, context.RequestAborted).ConfigureAwait(false);
            if (session.Status != "complete" || session.SubscriptionId is null)
            {
                throw NotPaid();
            }

            state = SubscriptionState.From(await _stripe.GetSubscriptionAsync(account, session.SubscriptionId, context.RequestAborted).ConfigureAwait(false));
        }

        // :: Step 3: one transaction: the claim used, the token string's hash added; the snapshot makes it live at the edges.
        var token = SecretGenerator.Token();
        var issued = await _changes.RunAsync("token", $"checkout {checkout.Id} claimed", change =>
        {
            var current = CheckoutRows.Find(change.Connection, change.Transaction, checkout.Id)!;
            CheckUsable(current, change.NowUnix);
            var tokenId = state is not null
                ? Provisioner.Provision(change, current, state, change.NowUnix, out _)
                : SubscriptionRows.FindByCheckout(change.Connection, change.Transaction, checkout.Id)!.TokenId;
            var entitlement = TokenRows.Find(change.Connection, change.Transaction, tokenId)!;
            if (entitlement.Revoked)
            {
                throw new ApiProblemException(410, "subscription-ended", "The subscription has ended", "the subscription was canceled before its token was claimed");
            }

            CheckoutRows.MarkClaimed(change, checkout.Id);
            change.Focus = tokenId;
            TokenRows.AddHash(change, tokenId, TokenHasher.Hash(token));
            return entitlement;
        }, context.RequestAborted).ConfigureAwait(false);

        BillingLog.Claimed(_logger, checkout.Id, issued.Id);
        context.Response.Headers.CacheControl = "no-store";
        await JsonResponse.WriteAsync(context, 200, new IssuedTokenResponse
        {
            Id = issued.Id,
            SiteId = issued.SiteId,
            PlanId = issued.PlanId,
            PlanRevision = issued.PlanRevision,
            Customer = issued.Customer,
            Revoked = issued.Revoked,
            CreatedAt = issued.CreatedAt,
            ExpiresAt = issued.ExpiresAt,
            RevokedAt = issued.RevokedAt,
            Token = token,
        }, BillingJsonContext.Api.IssuedTokenResponse).ConfigureAwait(false);
    }

    private CheckoutRecord? Find(byte[] hash)
    {
        using var connection = _database.Open();
        return CheckoutRows.FindByClaim(connection, null, hash);
    }

    private static void CheckUsable(CheckoutRecord checkout, long nowUnix)
    {
        if (checkout.ClaimedAtUnix is not null)
        {
            throw new ApiProblemException(410, "claim-used", "Claim already used", "this claim gave its token already; ask the API owner to rotate it if it was lost");
        }

        if (nowUnix >= checkout.ClaimExpiresAtUnix)
        {
            throw new ApiProblemException(410, "claim-expired", "Claim expired", "this claim URL has expired");
        }
    }

    private static ApiProblemException NotPaid() =>
        new(409, "checkout-not-completed", "Payment not completed", "the checkout is not paid yet; try again in a moment");
}
