using System.Security.Cryptography;
using System.Text;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Secrets;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Sites;

/// <summary><c>/v1/sites</c>: create, list, get, update, delete.</summary>
internal sealed class SiteEndpoints
{
    private readonly Database _database;
    private readonly ChangeRunner _changes;

    public SiteEndpoints(Database database, ChangeRunner changes)
    {
        _database = database;
        _changes = changes;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sites", CreateAsync);
        app.MapGet("/v1/sites", ListAsync);
        app.MapGet("/v1/sites/{id}", GetAsync);
        app.MapPatch("/v1/sites/{id}", UpdateAsync);
        app.MapDelete("/v1/sites/{id}", DeleteAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var request = await RequestJson.ReadAsync(context, ControlPlaneJsonContext.Api.CreateSiteRequest).ConfigureAwait(false);
        var errors = new RequestErrors();
        var name = errors.Required(request.Name, "name");
        var slug = errors.Required(request.Slug, "slug");
        var originUrl = errors.Required(request.OriginUrl, "originUrl");
        var hosts = SiteInput.Hosts(errors, request.Hosts);
        var headers = SiteInput.Pairs(errors, request.StaticHeaders, "staticHeaders");
        var query = SiteInput.Pairs(errors, request.StaticQuery, "staticQuery");
        var topUpUrl = SiteInput.TopUpUrl(errors, request.TopUpUrl);
        var x402 = SiteInput.X402(errors, request.X402);
        errors.ThrowIfAny();

        var id = SecretGenerator.Id("site");
        var hmacSecret = SecretGenerator.HmacSecret();
        var originKey = SecretGenerator.OriginKey();
        var site = await _changes.RunAsync("site", $"site {id} created", change =>
        {
            change.Focus = id;
            if (SiteRows.SlugTaken(change, slug, null))
            {
                throw ApiProblemException.Invalid("slug", $"'{slug}' is already used by another site");
            }

            // Only the origin key's hash is kept; the HMAC secret is kept as is, because the edges sign with it.
            SiteRows.Insert(change, id, name, slug, originUrl, Encoding.UTF8.GetBytes(hmacSecret), SHA256.HashData(Encoding.UTF8.GetBytes(originKey)), request.DenyByDefault ?? false, topUpUrl, request.McpFilterTools ?? false);
            SiteRows.ReplaceHosts(change, id, hosts);
            SiteRows.ReplaceInjections(change, id, "header", headers);
            SiteRows.ReplaceInjections(change, id, "query", query);
            SiteRows.ReplaceX402(change, id, x402);
            return SiteRows.Find(change.Connection, change.Transaction, id)!;
        }, context.RequestAborted).ConfigureAwait(false);

        context.Response.Headers.Location = "/v1/sites/" + id;
        await JsonResponse.WriteAsync(context, StatusCodes.Status201Created, new CreatedSiteResponse
        {
            Id = site.Id,
            Name = site.Name,
            Slug = site.Slug,
            OriginUrl = site.OriginUrl,
            Hosts = site.Hosts,
            StaticHeaders = site.StaticHeaders,
            StaticQuery = site.StaticQuery,
            DenyByDefault = site.DenyByDefault,
            McpFilterTools = site.McpFilterTools,
            CreatedAt = site.CreatedAt,
            TopUpUrl = site.TopUpUrl,
            X402 = site.X402,
            HmacSecret = hmacSecret,
            OriginKey = originKey,
        }, ControlPlaneJsonContext.Api.CreatedSiteResponse).ConfigureAwait(false);
    }

    private Task ListAsync(HttpContext context)
    {
        using var connection = _database.Open();
        var sites = SiteRows.List(connection, null);
        return JsonResponse.WriteAsync(context, 200, new ItemsResponse<SiteResponse> { Items = sites }, ControlPlaneJsonContext.Api.ItemsResponseSiteResponse);
    }

    private Task GetAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        using var connection = _database.Open();
        var site = SiteRows.Find(connection, null, id) ?? throw ApiProblemException.NotFound("site", id);
        return JsonResponse.WriteAsync(context, 200, site, ControlPlaneJsonContext.Api.SiteResponse);
    }

    private async Task UpdateAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        var (request, root) = await RequestJson.ReadWithPresenceAsync(context, ControlPlaneJsonContext.Api.UpdateSiteRequest).ConfigureAwait(false);
        var errors = new RequestErrors();
        var name = request.Name is null ? null : errors.Required(request.Name, "name");
        var slug = request.Slug is null ? null : errors.Required(request.Slug, "slug");
        var originUrl = request.OriginUrl is null ? null : errors.Required(request.OriginUrl, "originUrl");
        var hosts = request.Hosts is null ? null : SiteInput.Hosts(errors, request.Hosts);
        var headers = request.StaticHeaders is null ? null : SiteInput.Pairs(errors, request.StaticHeaders, "staticHeaders");
        var query = request.StaticQuery is null ? null : SiteInput.Pairs(errors, request.StaticQuery, "staticQuery");

        // Sent as null removes the link or the x402 terms; left out keeps them.
        var topUpUrlSent = root.TryGetProperty("topUpUrl", out _);
        var topUpUrl = SiteInput.TopUpUrl(errors, request.TopUpUrl);
        var x402Sent = root.TryGetProperty("x402", out _);
        var x402 = SiteInput.X402(errors, request.X402);
        errors.ThrowIfAny();

        var site = await _changes.RunAsync("site", $"site {id} updated", change =>
        {
            change.Focus = id;
            var current = SiteRows.Find(change.Connection, change.Transaction, id) ?? throw ApiProblemException.NotFound("site", id);
            if (slug is not null && SiteRows.SlugTaken(change, slug, id))
            {
                throw ApiProblemException.Invalid("slug", $"'{slug}' is already used by another site");
            }

            SiteRows.Update(change, id, name ?? current.Name, slug ?? current.Slug, originUrl ?? current.OriginUrl, request.DenyByDefault ?? current.DenyByDefault,
                topUpUrlSent ? topUpUrl : current.TopUpUrl, request.McpFilterTools ?? current.McpFilterTools);
            if (x402Sent)
            {
                SiteInput.CheckX402Resources(change, id, x402);
                SiteRows.ReplaceX402(change, id, x402);
            }

            if (hosts is not null)
            {
                SiteRows.ReplaceHosts(change, id, hosts);
            }

            if (headers is not null)
            {
                SiteRows.ReplaceInjections(change, id, "header", headers);
            }

            if (query is not null)
            {
                SiteRows.ReplaceInjections(change, id, "query", query);
            }

            return SiteRows.Find(change.Connection, change.Transaction, id)!;
        }, context.RequestAborted).ConfigureAwait(false);

        await JsonResponse.WriteAsync(context, 200, site, ControlPlaneJsonContext.Api.SiteResponse).ConfigureAwait(false);
    }

    /// <summary>Deletes the site with its plans, resources and tokens; the edges stop serving it with the next snapshot.</summary>
    private async Task DeleteAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        await _changes.RunAsync("site", $"site {id} deleted", change =>
            SiteRows.Delete(change, id) ? 0 : throw ApiProblemException.NotFound("site", id), context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
