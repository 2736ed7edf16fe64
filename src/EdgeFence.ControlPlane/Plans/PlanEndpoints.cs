using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Secrets;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Plans;

/// <summary>Plans: create and list under a site; get, update (a new revision) and migrate tokens by plan id.</summary>
internal sealed class PlanEndpoints
{
    private readonly Database _database;
    private readonly ChangeRunner _changes;

    public PlanEndpoints(Database database, ChangeRunner changes)
    {
        _database = database;
        _changes = changes;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sites/{id}/plans", CreateAsync);
        app.MapGet("/v1/sites/{id}/plans", ListAsync);
        app.MapGet("/v1/plans/{id}", GetAsync);
        app.MapPatch("/v1/plans/{id}", UpdateAsync);
        app.MapPost("/v1/plans/{id}/migrate", MigrateAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var siteId = RouteValues.Id(context);
        var request = await RequestJson.ReadAsync(context, ControlPlaneJsonContext.Api.PlanRequest).ConfigureAwait(false);
        var errors = new RequestErrors();
        var terms = PlanInput.ForCreate(errors, request);
        errors.ThrowIfAny();

        var id = SecretGenerator.Id("plan");
        var plan = await _changes.RunAsync("plan", $"plan {id} created on site {siteId}", change =>
        {
            change.Focus = id;
            if (!SiteRows.Exists(change.Connection, change.Transaction, siteId))
            {
                throw ApiProblemException.NotFound("site", siteId);
            }

            ThrowIfForeignResources(change, siteId, terms);
            PlanRows.Insert(change, id, siteId, terms);
            return PlanRows.Find(change.Connection, change.Transaction, id)!;
        }, context.RequestAborted).ConfigureAwait(false);

        context.Response.Headers.Location = "/v1/plans/" + id;
        await JsonResponse.WriteAsync(context, StatusCodes.Status201Created, plan, ControlPlaneJsonContext.Api.PlanResponse).ConfigureAwait(false);
    }

    private Task ListAsync(HttpContext context)
        => ReadEndpoints.ListForSiteAsync(context, _database, PlanRows.ListForSite, ControlPlaneJsonContext.Api.ItemsResponsePlanResponse);

    private Task GetAsync(HttpContext context)
        => ReadEndpoints.GetAsync(context, _database, "plan", PlanRows.Find, ControlPlaneJsonContext.Api.PlanResponse);

    /// <summary>New terms become a new revision: tokens already issued keep theirs until migrated explicitly.</summary>
    private async Task UpdateAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        var (request, root) = await RequestJson.ReadWithPresenceAsync(context, ControlPlaneJsonContext.Api.PlanRequest).ConfigureAwait(false);
        var plan = await _changes.RunAsync("plan", $"plan {id} updated", change =>
        {
            change.Focus = id;
            var current = PlanRows.Find(change.Connection, change.Transaction, id) ?? throw ApiProblemException.NotFound("plan", id);
            var errors = new RequestErrors();
            var terms = PlanInput.ForUpdate(errors, request, root, PlanRows.Terms(current));
            errors.ThrowIfAny();
            if (terms == PlanRows.Terms(current))
            {
                change.Unchanged = true;
                return current;
            }

            ThrowIfForeignResources(change, current.SiteId, terms);
            PlanRows.AddRevision(change, id, current.Revision + 1, terms);
            return PlanRows.Find(change.Connection, change.Transaction, id)!;
        }, context.RequestAborted).ConfigureAwait(false);

        await JsonResponse.WriteAsync(context, 200, plan, ControlPlaneJsonContext.Api.PlanResponse).ConfigureAwait(false);
    }

    /// <summary>
    /// A plan may price only its own site's resources. Checked here rather than left to the snapshot validator, whose
    /// finding would name the snapshot's list position, not the request's key.
    /// </summary>
    private static void ThrowIfForeignResources(Change change, string siteId, PlanTerms terms)
    {
        var foreign = PlanRows.ForeignResources(change, siteId, terms.ResourcePrices.Select(p => p.ResourceId));
        if (foreign.Count > 0)
        {
            throw ApiProblemException.Invalid([.. foreign.Select(r => new FieldError("resourcePrices." + r, $"no resource '{r}' on site '{siteId}'"))]);
        }
    }

    /// <summary>Moves every unrevoked token of this plan (any revision) to the current terms of <c>toPlanId</c>, of the same site.</summary>
    private async Task MigrateAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        var request = await RequestJson.ReadAsync(context, ControlPlaneJsonContext.Api.MigratePlanRequest).ConfigureAwait(false);
        var errors = new RequestErrors();
        var toPlanId = errors.Required(request.ToPlanId, "toPlanId");
        errors.ThrowIfAny();

        var result = await _changes.RunAsync("plan", $"tokens of plan {id} migrated to plan {toPlanId}", change =>
        {
            var from = PlanRows.Find(change.Connection, change.Transaction, id) ?? throw ApiProblemException.NotFound("plan", id);
            var to = PlanRows.Find(change.Connection, change.Transaction, toPlanId);
            if (to is null || to.SiteId != from.SiteId)
            {
                throw ApiProblemException.Invalid("toPlanId", $"no plan '{toPlanId}' on site '{from.SiteId}'");
            }

            var migrated = change.Command("""
                UPDATE tokens SET plan_id = $to, plan_revision = $revision
                WHERE plan_id = $from AND revoked_at_unix IS NULL AND NOT (plan_id = $to AND plan_revision = $revision)
                """).With("$from", id).With("$to", to.Id).With("$revision", to.Revision).Execute();
            change.Unchanged = migrated == 0;
            return new MigratePlanResponse { FromPlanId = id, ToPlanId = to.Id, ToRevision = to.Revision, Migrated = migrated };
        }, context.RequestAborted).ConfigureAwait(false);

        await JsonResponse.WriteAsync(context, 200, result, ControlPlaneJsonContext.Api.MigratePlanResponse).ConfigureAwait(false);
    }
}
