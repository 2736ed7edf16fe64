using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Plans;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Secrets;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Tokens;

/// <summary>Tokens: issue and list under a site; get, revoke and rotate by id.</summary>
internal sealed class TokenEndpoints
{
    /// <summary>How long a rotated-out token keeps working by default: time for a client to roll out its new one.</summary>
    public const long DefaultGraceSeconds = 3600;

    /// <summary>Longest grace: a rotation is usually done because a token leaked, so the old one must not live on for long.</summary>
    public const long MaxGraceSeconds = 30 * 86_400;

    private readonly Database _database;
    private readonly ChangeRunner _changes;

    public TokenEndpoints(Database database, ChangeRunner changes)
    {
        _database = database;
        _changes = changes;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sites/{id}/tokens", CreateAsync);
        app.MapGet("/v1/sites/{id}/tokens", ListAsync);
        app.MapGet("/v1/tokens/{id}", GetAsync);
        app.MapDelete("/v1/tokens/{id}", RevokeAsync);
        app.MapPost("/v1/tokens/{id}/rotate", RotateAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var siteId = RouteValues.Id(context);
        var request = await RequestJson.ReadAsync(context, ControlPlaneJsonContext.Api.CreateTokenRequest).ConfigureAwait(false);
        var errors = new RequestErrors();
        var planId = errors.Required(request.PlanId, "planId");
        var customer = errors.Required(request.Customer, "customer");
        var expiresAtUnix = request.ExpiresAt?.ToUnixTimeSeconds() ?? 0;
        if (request.ExpiresAt is not null && request.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            errors.Add("expiresAt", "must be in the future");
        }

        errors.ThrowIfAny();

        var id = SecretGenerator.Id("tok");
        var token = SecretGenerator.Token();
        var issued = await _changes.RunAsync("token", $"token {id} issued on site {siteId}", change =>
        {
            change.Focus = id;
            if (!SiteRows.Exists(change.Connection, change.Transaction, siteId))
            {
                throw ApiProblemException.NotFound("site", siteId);
            }

            var plan = PlanRows.Find(change.Connection, change.Transaction, planId);
            if (plan is null || plan.SiteId != siteId)
            {
                throw ApiProblemException.Invalid("planId", $"no plan '{planId}' on site '{siteId}'");
            }

            // The token itself is never written: only its SHA-256, the form the edge looks it up by.
            TokenRows.Insert(change, id, siteId, plan.Id, plan.Revision, customer, expiresAtUnix, TokenHasher.Hash(token));
            return TokenRows.Find(change.Connection, change.Transaction, id)!;
        }, context.RequestAborted).ConfigureAwait(false);

        context.Response.Headers.Location = "/v1/tokens/" + id;
        await JsonResponse.WriteAsync(context, StatusCodes.Status201Created, Issued(issued, token, null), ControlPlaneJsonContext.Api.IssuedTokenResponse).ConfigureAwait(false);
    }

    private Task ListAsync(HttpContext context)
        => ReadEndpoints.ListForSiteAsync(context, _database, TokenRows.ListForSite, ControlPlaneJsonContext.Api.ItemsResponseTokenResponse);

    private Task GetAsync(HttpContext context)
        => ReadEndpoints.GetAsync(context, _database, "token", TokenRows.Find, ControlPlaneJsonContext.Api.TokenResponse);

    /// <summary>
    /// Revokes every string of the token, at once and for good. Answers only once the reachable edges have the
    /// snapshot that says so (see <see cref="ChangeRunner"/>). Revoking a revoked token changes nothing and answers the same.
    /// </summary>
    private async Task RevokeAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        await _changes.RunAsync("token", $"token {id} revoked", change =>
        {
            if (TokenRows.Find(change.Connection, change.Transaction, id) is null)
            {
                throw ApiProblemException.NotFound("token", id);
            }

            change.Unchanged = !TokenRows.Revoke(change, id);
            return 0;
        }, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// Issues a new string for the same token id (so usage carries over: the edge counts by id) and gives the
    /// strings issued before it <c>graceSeconds</c> more to live.
    /// </summary>
    private async Task RotateAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        var request = await RequestJson.ReadOptionalAsync(context, ControlPlaneJsonContext.Api.RotateTokenRequest, new RotateTokenRequest()).ConfigureAwait(false);
        var grace = request.GraceSeconds ?? DefaultGraceSeconds;
        if (grace is < 0 or > MaxGraceSeconds)
        {
            throw ApiProblemException.Invalid("graceSeconds", $"must be between 0 and {MaxGraceSeconds}");
        }

        var token = SecretGenerator.Token();
        DateTimeOffset previousExpiresAt = default;
        var rotated = await _changes.RunAsync("token", $"token {id} rotated", change =>
        {
            var current = TokenRows.Find(change.Connection, change.Transaction, id) ?? throw ApiProblemException.NotFound("token", id);
            if (current.Revoked)
            {
                throw ApiProblemException.Conflict("token-revoked", $"token '{id}' is revoked; issue a new one");
            }

            // Never 0 here, which would mean "never expires": grace 0 ends the old strings now.
            var expires = change.NowUnix + grace;
            previousExpiresAt = Sql.FromUnix(expires);
            TokenRows.ExpireHashes(change, id, expires);
            TokenRows.AddHash(change, id, TokenHasher.Hash(token));
            return current;
        }, context.RequestAborted).ConfigureAwait(false);

        await JsonResponse.WriteAsync(context, 200, Issued(rotated, token, previousExpiresAt), ControlPlaneJsonContext.Api.IssuedTokenResponse).ConfigureAwait(false);
    }

    private static IssuedTokenResponse Issued(TokenResponse token, string secret, DateTimeOffset? previousExpiresAt) => new()
    {
        Id = token.Id,
        SiteId = token.SiteId,
        PlanId = token.PlanId,
        PlanRevision = token.PlanRevision,
        Customer = token.Customer,
        Revoked = token.Revoked,
        CreatedAt = token.CreatedAt,
        ExpiresAt = token.ExpiresAt,
        RevokedAt = token.RevokedAt,
        Token = secret,
        PreviousTokenExpiresAt = previousExpiresAt,
    };
}
