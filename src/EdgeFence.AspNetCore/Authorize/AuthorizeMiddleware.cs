using System.Text.Json;
using EdgeFence.AspNetCore.Logging;
using EdgeFence.AspNetCore.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeFence.AspNetCore.Authorize;

/// <summary>
/// Middleware mode: before the application handles a request, ask the edge for the same decision
/// (and counting) proxy mode would make, and answer a denial exactly as the edge would have.
/// </summary>
internal sealed class AuthorizeMiddleware
{
    public const string EdgeUnavailableReason = "edge-unavailable";
    public const string AmbiguousCredentialsReason = "ambiguous-credentials";

    private readonly RequestDelegate _next;
    private readonly EdgeFenceFailurePolicy _policy;
    private readonly EdgeFailureCounter _failures;
    private readonly ILogger _logger;

    public AuthorizeMiddleware(RequestDelegate next, EdgeFenceAuthorizeOptions options, EdgeFailureCounter failures, ILogger<AuthorizeMiddleware> logger)
    {
        _next = next;
        _policy = options.FailurePolicy;
        _failures = failures;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        // :: Step 1: describe the request as received. The raw target, not the decoded path, so the
        // edge applies proxy mode's ambiguity rules to the very bytes this application will route on.
        var request = context.Request;
        var token = ClientCredentials.Find(request.Headers, out var ambiguous);
        var body = new AuthorizeRequestBody
        {
            Token = token,
            Method = request.Method,
            Path = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/",
            Host = request.Headers.Host.ToString(),
        };

        // :: Step 2: ask. Typed clients are transient; the pooled handler behind them is shared.
        var client = context.RequestServices.GetRequiredService<EdgeAuthorizeClient>();
        var answer = await client.AuthorizeAsync(body, context.RequestAborted).ConfigureAwait(false);

        // :: Step 3: no decision: the failure policy.
        if (answer.Decision is not { } decision)
        {
            _failures.Add(_policy, answer.Failure);
            Log.EdgeFailure(_logger, request.Method, request.Path.Value, answer.Failure, answer.Error ?? "", _policy);
            if (_policy == EdgeFenceFailurePolicy.FailOpen)
            {
                await _next(context).ConfigureAwait(false);
                return;
            }

            context.Response.Headers.RetryAfter = "1";
            await ProblemResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, EdgeUnavailableReason, "Access control for this API is unavailable", "no decision could be had from EdgeFence; retry shortly").ConfigureAwait(false);
            return;
        }

        // :: Step 4: a denial is answered here, as proxy mode would have.
        if (!decision.Allow)
        {
            // The body could carry only one token, so none was sent: the edge's "missing" stands for
            // "ambiguous" here, which proxy mode reports as such.
            if (ambiguous && decision.Reason == "missing-token")
            {
                Log.AmbiguousCredentials(_logger, request.Method, request.Path.Value);
                await ProblemResponse.WriteAsync(context, StatusCodes.Status400BadRequest, AmbiguousCredentialsReason, "The request carries more than one credential", null).ConfigureAwait(false);
                return;
            }

            Log.AuthorizeRefusedByEdge(_logger, request.Method, request.Path.Value, decision.Status, decision.Reason, decision.RequestId);
            await WriteDenialAsync(context, decision, answer).ConfigureAwait(false);
            return;
        }

        // :: Step 5: allowed. The identity is the edge's, as in proxy mode; the rate-limit headers go
        // on whatever response the application writes.
        context.Features.Set<IEdgeFenceIdentityFeature>(new EdgeFenceIdentityFeature(decision.Customer, decision.Plan, decision.TokenId, decision.RequestId ?? ""));
        context.Response.OnStarting(
            static state =>
            {
                var (response, allowed) = ((HttpResponse, EdgeAnswer))state;
                CopyHeaders(response.Headers, allowed, retryAfter: false);
                return Task.CompletedTask;
            },
            (context.Response, answer));
        await _next(context).ConfigureAwait(false);
    }

    private static Task WriteDenialAsync(HttpContext context, AuthorizeDecision decision, EdgeAnswer answer)
    {
        var response = context.Response;
        response.StatusCode = decision.Status;
        response.ContentType = ProblemResponse.ContentType;
        var headers = response.Headers;
        headers.CacheControl = "no-store";
        CopyHeaders(headers, answer, retryAfter: true);
        if (decision.Status == StatusCodes.Status401Unauthorized)
        {
            headers.WWWAuthenticate = "Bearer realm=\"edgefence\"";
        }

        if (decision.Status == StatusCodes.Status405MethodNotAllowed && decision.AllowHeader is { } allow)
        {
            headers.Allow = allow;
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            decision.Problem!.Value.WriteTo(writer);
        }

        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }

    private static void CopyHeaders(IHeaderDictionary headers, EdgeAnswer answer, bool retryAfter)
    {
        if (answer.RateLimitPolicy is { } policy)
        {
            headers["RateLimit-Policy"] = policy;
        }

        if (answer.RateLimit is { } current)
        {
            headers["RateLimit"] = current;
        }

        if (retryAfter && answer.RetryAfter is { } retry)
        {
            headers.RetryAfter = retry;
        }

        if (answer.Decision?.RequestId is { } requestId)
        {
            headers[EdgeFenceHeaders.RequestId] = requestId;
        }
    }
}
