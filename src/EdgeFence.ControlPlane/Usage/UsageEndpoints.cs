using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Usage;

/// <summary>
/// <c>GET /v1/tokens/{id}/usage</c>. Usage lives in the edges' counters and, shared, in Redis; the control
/// plane can only read it from Redis, whose layout the edges' reconciliation defines. Until that is part of
/// this build the endpoint says so (404 <c>usage-unavailable</c>) rather than report numbers it does not have.
/// </summary>
internal sealed class UsageEndpoints
{
    private readonly Database _database;

    public UsageEndpoints(Database database) => _database = database;

    public void Map(IEndpointRouteBuilder app) => app.MapGet("/v1/tokens/{id}/usage", GetAsync);

    private Task GetAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        using (var connection = _database.Open())
        {
            _ = TokenRows.Find(connection, null, id) ?? throw ApiProblemException.NotFound("token", id);
        }

        throw new ApiProblemException(404, "usage-unavailable", "Usage is not available",
            "usage is read from the edges' shared counters in Redis (ControlPlane:Redis), which this build does not support yet; each edge's own counts are in its decision log");
    }
}
