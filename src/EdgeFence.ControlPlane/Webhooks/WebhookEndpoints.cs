using System.Security.Cryptography;
using System.Text.Json;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Webhooks;

/// <summary>
/// Alert subscriptions per site: <c>POST /v1/sites/{id}/webhooks</c> <c>{"url", "events": [...]}</c> answers the
/// subscription with its signing secret (shown only then), <c>GET</c> lists them (no secrets),
/// <c>DELETE /v1/sites/{id}/webhooks/{webhookId}</c> removes one.
/// </summary>
internal sealed class WebhookEndpoints
{
    public static readonly string[] Events = ["quota.threshold", "balance.low", "edge.behind", "traffic.spike"];

    /// <summary>Most subscriptions per site: each one multiplies every alert's deliveries.</summary>
    public const int MaxPerSite = 20;

    private readonly Database _database;
    private readonly TimeProvider _time;

    public WebhookEndpoints(Database database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sites/{id}/webhooks", CreateAsync);
        app.MapGet("/v1/sites/{id}/webhooks", ListAsync);
        app.MapDelete("/v1/sites/{id}/webhooks/{webhookId}", DeleteAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var siteId = RouteValues.Id(context);

        // :: Step 1: the body, every field checked.
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new ApiProblemException(400, "invalid-json", "The body is not JSON", ex.Message);
        }

        string url;
        List<string> events;
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw ApiProblemException.Invalid("body", "must be an object {url, events}");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("url" or "events"))
                {
                    throw ApiProblemException.Invalid(property.Name, "unknown field");
                }
            }

            url = root.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : throw ApiProblemException.Invalid("url", "required string");
            if (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
            {
                throw ApiProblemException.Invalid("url", "must be an absolute http(s) URL without credentials, at most 2048 characters");
            }

            if (!root.TryGetProperty("events", out var e) || e.ValueKind != JsonValueKind.Array || e.GetArrayLength() == 0)
            {
                throw ApiProblemException.Invalid("events", $"required non-empty array of: {string.Join(", ", Events)}");
            }

            events = [];
            foreach (var item in e.EnumerateArray())
            {
                var name = item.ValueKind == JsonValueKind.String ? item.GetString()! : "";
                if (!Events.Contains(name))
                {
                    throw ApiProblemException.Invalid("events", $"'{name}' is not one of: {string.Join(", ", Events)}");
                }

                if (!events.Contains(name))
                {
                    events.Add(name);
                }
            }
        }

        // :: Step 2: stored with a new secret, which this answer shows once.
        var webhook = new WebhookRows.Subscription("whk_" + Guid.NewGuid().ToString("N"), siteId, url, events,
            "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), _time.GetUtcNow().ToUnixTimeSeconds());
        using (var connection = _database.Open())
        {
            RequireSite(connection, siteId);
            if (WebhookRows.ForSite(connection, siteId).Count >= MaxPerSite)
            {
                throw ApiProblemException.Conflict("too-many-webhooks", $"a site has at most {MaxPerSite} webhooks");
            }

            WebhookRows.Insert(connection, webhook);
        }

        await WriteAsync(context, 201, w => Write(w, webhook, withSecret: true)).ConfigureAwait(false);
    }

    private Task ListAsync(HttpContext context)
    {
        var siteId = RouteValues.Id(context);
        List<WebhookRows.Subscription> webhooks;
        using (var connection = _database.Open())
        {
            RequireSite(connection, siteId);
            webhooks = WebhookRows.ForSite(connection, siteId);
        }

        return WriteAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("items");
            foreach (var webhook in webhooks)
            {
                Write(w, webhook, withSecret: false);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private Task DeleteAsync(HttpContext context)
    {
        var siteId = RouteValues.Id(context);
        var id = context.GetRouteValue("webhookId") as string ?? "";
        using var connection = _database.Open();
        if (!WebhookRows.Delete(connection, siteId, id))
        {
            throw ApiProblemException.NotFound("webhook", id);
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private static void RequireSite(Microsoft.Data.Sqlite.SqliteConnection connection, string siteId)
    {
        if (!SiteRows.Exists(connection, null, siteId))
        {
            throw ApiProblemException.NotFound("site", siteId);
        }
    }

    private static void Write(Utf8JsonWriter w, WebhookRows.Subscription webhook, bool withSecret)
    {
        w.WriteStartObject();
        w.WriteString("id", webhook.Id);
        w.WriteString("siteId", webhook.SiteId);
        w.WriteString("url", webhook.Url);
        w.WriteStartArray("events");
        foreach (var e in webhook.Events)
        {
            w.WriteStringValue(e);
        }

        w.WriteEndArray();
        if (withSecret)
        {
            w.WriteString("secret", webhook.Secret);
        }

        w.WriteString("createdAt", DateTimeOffset.FromUnixTimeSeconds(webhook.CreatedAtUnix));
        w.WriteEndObject();
    }

    private static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        body(writer);
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
