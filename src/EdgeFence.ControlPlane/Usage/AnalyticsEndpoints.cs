using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Usage;

/// <summary>
/// The analytics API. <c>POST /v1/analytics/rollups</c> takes an edge's rollup batch (admin or edge key), applied
/// once per edge + batch id. The reads (admin key) answer from <see cref="UsageRollups"/>:
/// <c>GET /v1/analytics/series?site=&amp;from=&amp;to=&amp;step=</c>, <c>/totals?site=</c>, <c>/top-customers?site=&amp;limit=</c>,
/// <c>/plans/{id}/utilization</c>, <c>/customers/{customer}</c>.
/// </summary>
internal sealed class AnalyticsEndpoints
{
    /// <summary>
    /// Rows per batch. The edges send at most 500; the cap (with the 256 KiB body limit) bounds the work and the
    /// transaction one caller holding a key can make the control plane do per request.
    /// </summary>
    public const int MaxRows = 1000;

    /// <summary>Longest id or dimension string taken: ids from snapshots are far shorter; this bounds what a caller can store per row.</summary>
    public const int MaxStringLength = 256;

    public const int MaxTopCustomers = 100;

    private readonly RollupStore _store;
    private readonly UsageRollups _rollups;
    private readonly TimeProvider _time;

    public AnalyticsEndpoints(RollupStore store, UsageRollups rollups, TimeProvider time)
    {
        _store = store;
        _rollups = rollups;
        _time = time;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/analytics/rollups", IngestAsync);
        app.MapGet("/v1/analytics/series", context =>
        {
            var range = Range(context);
            return Write(context, _rollups.Series(Site(context), range.FromMs, range.ToMs, range.StepMs), ControlPlaneJsonContext.Api.UsageSeriesResponse);
        });
        app.MapGet("/v1/analytics/totals", context =>
        {
            var range = Range(context);
            return Write(context, _rollups.Totals(Site(context), range.FromMs, range.ToMs), ControlPlaneJsonContext.Api.UsageTotalsResponse);
        });
        app.MapGet("/v1/analytics/top-customers", context =>
        {
            var range = Range(context);
            var text = context.Request.Query["limit"].ToString();
            var limit = 10;
            if (text.Length > 0 && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxTopCustomers))
            {
                throw ApiProblemException.Invalid("limit", $"must be a whole number from 1 to {MaxTopCustomers}");
            }

            return Write(context, _rollups.TopCustomers(Site(context), range.FromMs, range.ToMs, limit), ControlPlaneJsonContext.Api.TopCustomersResponse);
        });
        app.MapGet("/v1/analytics/plans/{id}/utilization", context =>
        {
            var id = RouteValues.Id(context);
            var at = AnalyticsRange.ParseTime(context, "at") ?? _time.GetUtcNow().ToUnixTimeMilliseconds();
            var body = _rollups.QuotaUtilization(id, at) ?? throw ApiProblemException.NotFound("plan", id);
            return Write(context, body, ControlPlaneJsonContext.Api.QuotaUtilizationResponse);
        });
        app.MapGet("/v1/analytics/customers/{customer}", context =>
        {
            var customer = context.GetRouteValue("customer") as string ?? "";
            var range = Range(context);
            return Write(context, _rollups.PerCustomer(customer, range.FromMs, range.ToMs, range.StepMs), ControlPlaneJsonContext.Api.CustomerUsageResponse);
        });
    }

    private async Task IngestAsync(HttpContext context)
    {
        var batch = await RequestJson.ReadAsync(context, ControlPlaneJsonContext.Api.RollupBatchRequest).ConfigureAwait(false);
        var errors = new List<FieldError>();
        Text(errors, "edge", batch.Edge, required: true);
        Text(errors, "batch", batch.Batch, required: true);
        if (batch.Rows is null)
        {
            errors.Add(new FieldError("rows", "is required"));
        }
        else if (batch.Rows.Count > MaxRows)
        {
            errors.Add(new FieldError("rows", $"at most {MaxRows} rows per batch"));
        }
        else
        {
            for (var i = 0; i < batch.Rows.Count && errors.Count < 20; i++)
            {
                var row = batch.Rows[i];
                var at = $"rows[{i}].";
                if (row is null)
                {
                    errors.Add(new FieldError($"rows[{i}]", "must be an object"));
                    continue;
                }

                if (row.Minute <= 0 || row.Minute % 60_000 != 0)
                {
                    errors.Add(new FieldError(at + "minute", "must be the start of a minute in unix milliseconds"));
                }

                Text(errors, at + "site", row.Site, required: true);
                Text(errors, at + "plan", row.Plan, required: false);
                Text(errors, at + "resource", row.Resource, required: false);
                Text(errors, at + "token", row.Token, required: false);
                Text(errors, at + "customer", row.Customer, required: false);
                Text(errors, at + "reason", row.Reason, required: false);
                Text(errors, at + "currency", row.Currency, required: false);
                if (row.Decision is not ("allow" or "deny" or "passthrough"))
                {
                    errors.Add(new FieldError(at + "decision", "must be allow, deny or passthrough"));
                }

                if (row.Requests < 1 || row.Units < 0 || row.ChargedMicros < 0)
                {
                    errors.Add(new FieldError(at + "requests", "requests must be at least 1, units and chargedMicros not negative"));
                }
            }
        }

        if (errors.Count > 0)
        {
            throw ApiProblemException.Invalid(errors);
        }

        var applied = _store.Apply(batch.Edge!, batch.Batch!, batch.Rows!);
        await Write(context, new RollupIngestResponse { Status = applied ? "applied" : "duplicate", Rows = applied ? batch.Rows!.Count : 0 }, ControlPlaneJsonContext.Api.RollupIngestResponse).ConfigureAwait(false);
    }

    private static void Text(List<FieldError> errors, string field, string? value, bool required)
    {
        if (required && string.IsNullOrEmpty(value))
        {
            errors.Add(new FieldError(field, "is required"));
        }
        else if (value is { Length: > MaxStringLength })
        {
            errors.Add(new FieldError(field, $"at most {MaxStringLength} characters"));
        }
    }

    private AnalyticsRange Range(HttpContext context) => AnalyticsRange.Parse(context, _time.GetUtcNow().ToUnixTimeMilliseconds());

    private static string? Site(HttpContext context) => context.Request.Query["site"].ToString() is { Length: > 0 } site ? site : null;

    private static Task Write<T>(HttpContext context, T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonResponse.WriteAsync(context, 200, body, type);
}
