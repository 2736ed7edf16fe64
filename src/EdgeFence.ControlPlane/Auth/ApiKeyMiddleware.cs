using EdgeFence.ControlPlane.Logging;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.UsageEvents;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace EdgeFence.ControlPlane.Auth;

/// <summary>
/// Every <c>/v1</c> request needs <c>Authorization: Bearer &lt;ControlPlane:AdminKey&gt;</c>; only
/// <c>GET /v1/snapshot</c> and <c>GET /v1/wallets</c> (the edges' pulls on start) and <c>POST /v1/analytics/rollups</c>
/// (the edges' rollup batches) also take the edge key. Checked before the body is read, so an unauthenticated
/// client cannot make the service parse anything. Stripe's webhooks (<c>POST /v1/stripe/webhooks/…</c>) carry no
/// key: their <c>Stripe-Signature</c> is checked instead, before the event is parsed (Billing). <c>POST /v1/usage-events</c>
/// also takes a site's origin key, which its endpoint checks.
/// </summary>
internal sealed class ApiKeyMiddleware
{
    /// <summary>Longest Authorization header considered: bounds the hashing an unauthenticated client can cause.</summary>
    private const int MaxHeaderLength = 2048;

    private readonly RequestDelegate _next;
    private readonly ApiKey _admin;
    private readonly ApiKey? _edge;
    private readonly ILogger _logger;

    public ApiKeyMiddleware(RequestDelegate next, ApiKey admin, ApiKey? edge, ILogger logger)
    {
        _next = next;
        _admin = admin;
        _edge = edge;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1")
            || (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/v1/stripe/webhooks")))
        {
            return _next(context);
        }

        var headers = context.Request.Headers.Authorization;
        string? reason = null;
        if (headers.Count == 0)
        {
            reason = "missing Authorization header";
        }
        else if (headers.Count > 1 || headers[0] is not { } header || header.Length > MaxHeaderLength || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            reason = "Authorization is not one Bearer key";
        }
        else
        {
            var key = header.AsSpan(7).Trim();
            if (_admin.Matches(key))
            {
                return _next(context);
            }

            if (_edge is not null && IsEdgeCall(context.Request) && _edge.Matches(key))
            {
                return _next(context);
            }

            // An origin reports its usage with its site's origin key: the endpoint checks that key and scopes the
            // request to its site (UsageEventEndpoints). Still only a Bearer key of bounded length gets this far.
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals(UsageEventEndpoints.Path, StringComparison.Ordinal))
            {
                context.Items[OtherKeyItem] = key.ToString();
                return _next(context);
            }

            reason = "wrong key";
        }

        Log.Unauthorized(_logger, context.Request.Method, context.Request.Path.Value ?? "", reason);
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        throw new ApiProblemException(401, "unauthorized", "Unauthorized", "send Authorization: Bearer <ControlPlane:AdminKey>");
    }

    /// <summary>The key of a request let through for its endpoint to check (not the admin key), or null.</summary>
    public static string? OtherKey(HttpContext context) => context.Items.TryGetValue(OtherKeyItem, out var key) ? key as string : null;

    private const string OtherKeyItem = "EdgeFence.OtherBearerKey";

    private static bool IsEdgeCall(HttpRequest request)
        => HttpMethods.IsGet(request.Method)
            ? request.Path.Equals("/v1/snapshot", StringComparison.Ordinal) || request.Path.Equals("/v1/wallets", StringComparison.Ordinal)
            : HttpMethods.IsPost(request.Method) && request.Path.Equals("/v1/analytics/rollups", StringComparison.Ordinal);
}
