using System.Globalization;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Plans;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Ledger;
using EdgeFence.Core.Limits;
using EdgeFence.Core.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Usage;

/// <summary>
/// <c>GET /v1/tokens/{id}/usage[?period=previous]</c>: reads the edges' Redis ledger of the token for the billing
/// period of the plan revision it is on. The layout is the edges' (<c>EdgeFence.Edge.Sync.LedgerKey</c>): one hash
/// per entitlement and period, <c>ef:{&lt;site id&gt;:&lt;token id&gt;}:q:&lt;period start unix ms&gt;</c>, with
/// <c>u:&lt;node&gt;</c> the units each edge admitted (cumulative). The token id is the snapshot's
/// <c>TokenRecord.Id</c>, the API token id, which rotation keeps. Without <c>ControlPlane:Redis</c> it answers
/// 404 <c>usage-unavailable</c> rather than numbers it does not have; Redis failing is 503 <c>usage-unavailable</c>.
/// </summary>
internal sealed class UsageEndpoints
{
    private readonly Database _database;
    private readonly IConnectionMultiplexer? _redis;
    private readonly TimeProvider _time;

    public UsageEndpoints(Database database, IConnectionMultiplexer? redis, TimeProvider time)
    {
        _database = database;
        _redis = redis;
        _time = time;
    }

    public void Map(IEndpointRouteBuilder app) => app.MapGet("/v1/tokens/{id}/usage", GetAsync);

    private async Task GetAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        var previous = context.Request.Query["period"].ToString() switch
        {
            "" or "current" => false,
            "previous" => true,
            var other => throw ApiProblemException.Invalid("period", $"'{other}' is not 'current' or 'previous'"),
        };

        TokenTerms terms;
        using (var connection = _database.Open())
        {
            terms = connection.Command(null, """
                SELECT t.site_id, t.plan_id, t.plan_revision, v.quota_units, v.quota_period, v.quota_mode
                FROM tokens t JOIN plan_revisions v ON v.plan_id = t.plan_id AND v.revision = t.plan_revision
                WHERE t.id = $id
                """).With("$id", id).ReadOne(r => new TokenTerms(
                    r.GetString(0), r.GetString(1), r.GetInt64(2), r.NullableInt64(3), (QuotaPeriod)r.GetInt64(4), (QuotaMode)r.GetInt64(5)))
                ?? throw ApiProblemException.NotFound("token", id);
        }

        if (_redis is null)
        {
            throw new ApiProblemException(404, "usage-unavailable", "Usage is not available",
                "usage is read from the edges' shared counters in Redis, and ControlPlane:Redis is not set; each edge's own counts are in its decision log");
        }

        BillingPeriod.GetBounds(terms.Period, _time.GetUtcNow().ToUnixTimeMilliseconds(), out var startMs, out var endMs);
        if (previous)
        {
            BillingPeriod.GetBounds(terms.Period, startMs - 1, out startMs, out endMs);
        }

        // Same string as the edges' LedgerKey.For (UsageTests read what a real edge wrote).
        var key = string.Create(CultureInfo.InvariantCulture, $"ef:{{{terms.SiteId}:{id}}}:q:{startMs}");
        HashEntry[] entries;
        try
        {
            entries = await _redis.GetDatabase().HashGetAllAsync(key).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new ApiProblemException(503, "usage-unavailable", "Usage is not available",
                $"the usage ledger in Redis (ControlPlane:Redis) could not be read: {ex.Message}");
        }

        var byEdge = new Dictionary<string, long>(StringComparer.Ordinal);
        long used = 0;
        foreach (var entry in entries)
        {
            // Net of refunds: an edge's u: field minus its r: field (LedgerFields).
            var field = entry.Name.ToString();
            if (LedgerFields.Weight(field) is var weight and not 0 && entry.Value.TryParse(out long units))
            {
                var edge = field[LedgerFields.UsedPrefix.Length..];
                byEdge[edge] = byEdge.GetValueOrDefault(edge) + (weight * units);
                used += weight * units;
            }
        }

        (long Sent, long Pending) exported;
        using (var connection = _database.Open())
        {
            exported = Billing.MeterExportRows.Totals(connection, id, startMs);
        }

        var quota = terms.QuotaUnits;
        var body = new UsageResponse
        {
            TokenId = id,
            PlanId = PlanRevisionId.For(terms.PlanId, terms.PlanRevision),
            Period = new UsagePeriod { Start = DateTimeOffset.FromUnixTimeMilliseconds(startMs), End = DateTimeOffset.FromUnixTimeMilliseconds(endMs) },
            Quota = quota,
            Mode = terms.Mode == QuotaMode.Soft ? "soft" : "hard",
            Used = used,
            Remaining = quota is { } q ? Math.Max(0, q - used) : null,
            Overage = quota is { } limit && terms.Mode == QuotaMode.Soft ? Math.Max(0, used - limit) : 0,
            ByEdge = byEdge,
            ExportedUnits = exported.Sent,
            ExportPendingUnits = exported.Pending,
        };
        await JsonResponse.WriteAsync(context, 200, body, ControlPlaneJsonContext.Api.UsageResponse).ConfigureAwait(false);
    }

    private sealed record TokenTerms(string SiteId, string PlanId, long PlanRevision, long? QuotaUnits, QuotaPeriod Period, QuotaMode Mode);
}
