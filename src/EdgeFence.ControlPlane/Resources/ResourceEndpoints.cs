using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Secrets;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Paths;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Resources;

/// <summary>Resources: create and list under a site; get and delete by id.</summary>
internal sealed class ResourceEndpoints
{
    private readonly Database _database;
    private readonly ChangeRunner _changes;

    public ResourceEndpoints(Database database, ChangeRunner changes)
    {
        _database = database;
        _changes = changes;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sites/{id}/resources", CreateAsync);
        app.MapGet("/v1/sites/{id}/resources", ListAsync);
        app.MapGet("/v1/resources/{id}", GetAsync);
        app.MapDelete("/v1/resources/{id}", DeleteAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var siteId = RouteValues.Id(context);
        var request = await RequestJson.ReadAsync(context, ControlPlaneJsonContext.Api.CreateResourceRequest).ConfigureAwait(false);
        var errors = new RequestErrors();
        var pattern = errors.Required(request.Pattern, "pattern");
        if (pattern.Length > 0 && !PathPattern.TryParse(pattern, out _, out var patternError))
        {
            errors.Add("pattern", patternError);
        }

        // The edge compares methods ordinally with the request's upper-case method; duplicates say nothing more.
        var methods = errors.Strings(request.Methods, "methods").Select(m => m.ToUpperInvariant()).Distinct().ToList();
        if (request.Cost is < 0)
        {
            errors.Add("cost", "must not be negative");
        }

        var privatePath = request.PrivatePath is null ? null : errors.Required(request.PrivatePath, "privatePath");
        var price = ResourceInput.Price(errors, request);
        var kind = ResourceInput.Kind(errors, request.Kind);
        var openAi = OpenAiInput.Terms(errors, request, kind);
        errors.ThrowIfAny();

        var id = SecretGenerator.Id("res");
        var resource = await _changes.RunAsync("resource", $"resource {id} created on site {siteId}", change =>
        {
            change.Focus = id;
            if (!SiteRows.Exists(change.Connection, change.Transaction, siteId))
            {
                throw ApiProblemException.NotFound("site", siteId);
            }

            // Overlaps with the site's other resources, unknown methods, private path shape, and whether x402
            // payment fits the site's terms (they exist, same currency, an exact amount of the asset) are the
            // snapshot validator's findings, reported on these same fields.
            ResourceRows.Insert(change, id, siteId, pattern, methods, request.Cost ?? 1, privatePath, price, kind, request.McpTool, openAi);
            return ResourceRows.Find(change.Connection, change.Transaction, id)!;
        }, context.RequestAborted).ConfigureAwait(false);

        context.Response.Headers.Location = "/v1/resources/" + id;
        await JsonResponse.WriteAsync(context, StatusCodes.Status201Created, resource, ControlPlaneJsonContext.Api.ResourceResponse).ConfigureAwait(false);
    }

    private Task ListAsync(HttpContext context)
        => ReadEndpoints.ListForSiteAsync(context, _database, ResourceRows.ListForSite, ControlPlaneJsonContext.Api.ItemsResponseResourceResponse);

    private Task GetAsync(HttpContext context)
        => ReadEndpoints.GetAsync(context, _database, "resource", ResourceRows.Find, ControlPlaneJsonContext.Api.ResourceResponse);

    private async Task DeleteAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        await _changes.RunAsync("resource", $"resource {id} deleted", change =>
            ResourceRows.Delete(change, id) ? 0 : throw ApiProblemException.NotFound("resource", id), context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
