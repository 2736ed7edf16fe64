using System.Globalization;
using EdgeFence.ControlPlane.Edges;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Snapshots;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Wallets;

/// <summary>
/// Prepaid balances: <c>POST /v1/customers/{id}/deposits</c>, <c>GET /v1/customers/{id}/balance</c>,
/// <c>GET /v1/customers/{id}/ledger</c>, <c>GET /v1/wallets</c> (the signed wallet book, what edges pull on start)
/// and <c>GET /v1/wallets/edges</c> (which edge took which wallet book version).
/// </summary>
internal sealed class WalletEndpoints
{
    /// <summary>Set to <c>true</c> on the answer to a deposit whose idempotency key had already credited it.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>Ledger page size when <c>limit</c> is not given.</summary>
    public const int DefaultLedgerLimit = 100;

    /// <summary>Largest ledger page: one call must not make the control plane read and serialize a customer's whole history.</summary>
    public const int MaxLedgerLimit = 1000;

    private readonly Database _database;
    private readonly DepositRunner _deposits;
    private readonly EdgePusher _pusher;
    private readonly DebitReader _debits;

    public WalletEndpoints(Database database, DepositRunner deposits, EdgePusher pusher, DebitReader debits)
    {
        _database = database;
        _deposits = deposits;
        _pusher = pusher;
        _debits = debits;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/customers/{id}/deposits", DepositAsync);
        app.MapGet("/v1/customers/{id}/balance", BalanceAsync);
        app.MapGet("/v1/customers/{id}/ledger", LedgerAsync);
        app.MapGet("/v1/wallets", GetWalletsAsync);

        // The wallet book's delivery, edge by edge, in the shape of GET /v1/edges (which is the snapshot's).
        app.MapGet("/v1/wallets/edges", context => JsonResponse.WriteAsync(context, 200, _pusher.Status(), ControlPlaneJsonContext.Api.EdgesResponse));
    }

    private async Task DepositAsync(HttpContext context)
    {
        // :: Step 1: every field checked before anything is read from the database.
        var request = await RequestJson.ReadAsync(context, ControlPlaneJsonContext.Api.DepositRequest).ConfigureAwait(false);
        var deposit = DepositInput.Read(RouteValues.Id(context), request);

        // :: Step 2: credited once (or found already credited), committed, pushed, and the edges waited for.
        var outcome = await _deposits.DepositAsync(deposit, context.RequestAborted).ConfigureAwait(false);

        // :: Step 3: a replay gets the first answer, status and body, and a header that says it is one.
        if (outcome.Replayed)
        {
            context.Response.Headers[ReplayedHeader] = "true";
        }

        await JsonResponse.WriteAsync(context, StatusCodes.Status201Created, outcome.Deposit, ControlPlaneJsonContext.Api.DepositResponse).ConfigureAwait(false);
    }

    private async Task BalanceAsync(HttpContext context)
    {
        var (siteId, customer) = Owner(context);
        List<(string Currency, long CreditedMicros)> wallets;
        using (var connection = _database.Open())
        {
            RequireSite(connection, siteId);
            wallets = WalletRows.ForCustomer(connection, siteId, customer);
        }

        var debits = _debits.Available ? await _debits.ReadAsync(siteId, customer, [.. wallets.Select(w => w.Currency)]).ConfigureAwait(false) : null;
        var balances = new List<CurrencyBalance>(wallets.Count);
        for (var i = 0; i < wallets.Count; i++)
        {
            var debited = debits?[i];
            balances.Add(new CurrencyBalance
            {
                Currency = wallets[i].Currency,
                CreditedMicros = wallets[i].CreditedMicros,
                DebitedMicros = debited?.DebitedMicros,
                BalanceMicros = debited is null ? null : wallets[i].CreditedMicros - debited.DebitedMicros,
                ByEdge = debited?.ByEdge,
            });
        }

        var body = new BalanceResponse
        {
            SiteId = siteId,
            Customer = customer,
            DebitsKnown = debits is not null,
            DebitsDetail = debits is null ? DebitReader.NotConfigured : null,
            Balances = balances,
        };
        await JsonResponse.WriteAsync(context, 200, body, ControlPlaneJsonContext.Api.BalanceResponse).ConfigureAwait(false);
    }

    private async Task LedgerAsync(HttpContext context)
    {
        var (siteId, customer) = Owner(context);
        var limit = QueryLong(context, "limit", DefaultLedgerLimit, 1, MaxLedgerLimit);
        var after = QueryLong(context, "after", 0, 0, long.MaxValue);
        List<(long Seq, DepositResponse Deposit)> page;
        List<string> currencies;
        using (var connection = _database.Open())
        {
            RequireSite(connection, siteId);

            // One row more than asked: tells whether there is a next page without a second query.
            page = DepositRows.Page(connection, siteId, customer, after, (int)limit + 1);
            currencies = [.. WalletRows.ForCustomer(connection, siteId, customer).Select(w => w.Currency)];
        }

        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        var debits = _debits.Available ? await _debits.ReadAsync(siteId, customer, currencies).ConfigureAwait(false) : null;
        var body = new LedgerResponse
        {
            SiteId = siteId,
            Customer = customer,
            Deposits = [.. page.Select(p => p.Deposit)],
            Next = more ? page[^1].Seq.ToString(CultureInfo.InvariantCulture) : null,
            DebitsKnown = debits is not null,
            DebitsDetail = debits is null ? DebitReader.NotConfigured : null,
            Debits = debits,
        };
        await JsonResponse.WriteAsync(context, 200, body, ControlPlaneJsonContext.Api.LedgerResponse).ConfigureAwait(false);
    }

    private Task GetWalletsAsync(HttpContext context)
    {
        var latest = _pusher.Latest ?? throw new ApiProblemException(503, "no-wallet-book", "No wallet book yet", "the control plane is starting");
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/vnd.msgpack";
        context.Response.ContentLength = latest.Bytes.Length;
        context.Response.Headers[SnapshotSigner.HeaderName] = latest.SignatureBase64;
        context.Response.Headers[SnapshotEndpoints.VersionHeader] = latest.Version.ToString(CultureInfo.InvariantCulture);

        // Every customer's credited totals: no cache in between may keep a copy.
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.Body.WriteAsync(latest.Bytes, context.RequestAborted).AsTask();
    }

    private static (string SiteId, string Customer) Owner(HttpContext context)
    {
        var siteId = context.Request.Query["siteId"].ToString();
        if (siteId.Length == 0)
        {
            throw ApiProblemException.Invalid("siteId", "required query parameter: balances are per site");
        }

        return (siteId, RouteValues.Id(context));
    }

    /// <summary>A site that exists, or one that was deleted but had deposits: its ledger stays readable for reconciliation.</summary>
    private static void RequireSite(Microsoft.Data.Sqlite.SqliteConnection connection, string siteId)
    {
        if (!SiteRows.Exists(connection, null, siteId) && !DepositRows.AnyForSite(connection, siteId))
        {
            throw new ApiProblemException(404, "not-found", "Not found", $"no site '{siteId}'", [new FieldError("siteId", $"no site '{siteId}'")]);
        }
    }

    private static long QueryLong(HttpContext context, string name, long fallback, long min, long max)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw ApiProblemException.Invalid(name, $"must be a whole number between {min} and {max}");
        }

        return value;
    }
}
