using System.Text.Json.Serialization.Metadata;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Json;

/// <summary>The two read shapes every entity under a site shares: one by id, and all of one site.</summary>
internal static class ReadEndpoints
{
    /// <summary><c>GET /v1/{kind}s/{id}</c>: the entity, or a 404 problem naming the kind.</summary>
    public static Task GetAsync<T>(HttpContext context, Database database, string kind, Func<SqliteConnection, SqliteTransaction?, string, T?> find, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var id = RouteValues.Id(context);
        using var connection = database.Open();
        var entity = find(connection, null, id) ?? throw ApiProblemException.NotFound(kind, id);
        return JsonResponse.WriteAsync(context, 200, entity, typeInfo);
    }

    /// <summary><c>GET /v1/sites/{id}/{kind}s</c>: all of one site's entities, or a 404 problem when the site does not exist.</summary>
    public static Task ListForSiteAsync<T>(HttpContext context, Database database, Func<SqliteConnection, SqliteTransaction?, string, List<T>> list, JsonTypeInfo<ItemsResponse<T>> typeInfo)
    {
        var siteId = RouteValues.Id(context);
        using var connection = database.Open();
        if (!SiteRows.Exists(connection, null, siteId))
        {
            throw ApiProblemException.NotFound("site", siteId);
        }

        return JsonResponse.WriteAsync(context, 200, new ItemsResponse<T> { Items = list(connection, null, siteId) }, typeInfo);
    }
}
