using System.Security.Cryptography;
using System.Text;
using EdgeFence.ControlPlane.Auth;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>
/// <c>POST /v1/usage-events</c>: an origin that meters its own work (middleware mode) reports it, once per
/// idempotency key, into the token's usage ledger, where it counts against the quota like admitted requests. The
/// admin key may report for any site; a site's origin key (the one <c>/v1/authorize</c> takes) only for that site,
/// so an origin never holds the key that changes configuration. 201 with the event; a replay of the key answers
/// the first event, and <c>Idempotent-Replayed: true</c>.
/// </summary>
internal sealed class UsageEventEndpoints
{
    public const string Path = "/v1/usage-events";

    private readonly Database _database;
    private readonly UsageEventRecorder? _recorder;

    /// <summary><paramref name="recorder"/> is null without <c>ControlPlane:Redis</c>: there is then no shared ledger to count into.</summary>
    public UsageEventEndpoints(Database database, UsageEventRecorder? recorder)
    {
        _database = database;
        _recorder = recorder;
    }

    public void Map(IEndpointRouteBuilder app) => app.MapPost(Path, PostAsync);

    private async Task PostAsync(HttpContext context)
    {
        // :: Step 1: who is asking: the admin key passed ApiKeyMiddleware; another key must be a site's origin key.
        var authorizedSite = ApiKeyMiddleware.OtherKey(context) is { } key ? SiteOfOriginKey(key) : null;

        // :: Step 2: every field checked before anything is read from the database.
        var request = await RequestJson.ReadAsync(context, ControlPlaneJsonContext.Api.UsageEventRequest).ConfigureAwait(false);
        var usage = UsageEventInput.Read(request);
        if (_recorder is null)
        {
            throw new ApiProblemException(404, "usage-unavailable", "Usage is not available",
                "usage events are counted into the edges' shared ledger in Redis, and ControlPlane:Redis is not set");
        }

        // :: Step 3: recorded once (or found already recorded), committed, and sent to the ledger.
        var (recorded, replayed) = await _recorder.RecordAsync(usage, authorizedSite, context.RequestAborted).ConfigureAwait(false);
        if (replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }

        await JsonResponse.WriteAsync(context, StatusCodes.Status201Created, recorded, ControlPlaneJsonContext.Api.UsageEventResponse).ConfigureAwait(false);
    }

    /// <summary>
    /// The site whose origin key this is, or 401. Looked up by its SHA-256, as tokens are: the database holds only
    /// hashes, and matching a hash says nothing about a key that does not hash to it.
    /// </summary>
    private string SiteOfOriginKey(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        using var connection = _database.Open();
        using var command = connection.Command(null, "SELECT id FROM sites WHERE origin_key_hash = $hash").With("$hash", hash);
        return command.ExecuteScalar() as string
            ?? throw new ApiProblemException(401, "unauthorized", "Unauthorized", "send Authorization: Bearer <ControlPlane:AdminKey> or the site's origin key");
    }
}
