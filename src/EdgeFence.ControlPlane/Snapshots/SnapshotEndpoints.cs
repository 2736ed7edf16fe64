using System.Globalization;
using EdgeFence.ControlPlane.Edges;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Snapshots;

/// <summary><c>GET /v1/snapshot</c> (the latest signed bytes, what edges pull on start) and <c>GET /v1/edges</c>.</summary>
internal sealed class SnapshotEndpoints
{
    /// <summary>The header with the snapshot's version, so a client can tell what it got without decoding it.</summary>
    public const string VersionHeader = "X-EdgeFence-Snapshot-Version";

    private readonly EdgePusher _pusher;

    public SnapshotEndpoints(EdgePusher pusher) => _pusher = pusher;

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/snapshot", GetSnapshotAsync);
        app.MapGet("/v1/edges", context => JsonResponse.WriteAsync(context, 200, _pusher.Status(), ControlPlaneJsonContext.Api.EdgesResponse));
    }

    private async Task GetSnapshotAsync(HttpContext context)
    {
        // The full snapshot of the latest version: after deltas, built on the first ask (see ChangeRunner.LatestFullAsync).
        var latest = await _pusher.LatestFullAsync(context.RequestAborted).ConfigureAwait(false)
            ?? throw new ApiProblemException(503, "no-snapshot", "No snapshot yet", "the control plane is starting");
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/vnd.msgpack";
        context.Response.ContentLength = latest.Bytes.Length;
        context.Response.Headers[SnapshotSigner.HeaderName] = latest.SignatureBase64;
        context.Response.Headers[VersionHeader] = latest.Version.ToString(CultureInfo.InvariantCulture);

        // It holds the sites' HMAC secrets: no cache in between may keep a copy.
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(latest.Bytes, context.RequestAborted).ConfigureAwait(false);
    }
}
