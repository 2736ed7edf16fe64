using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Problems;

/// <summary>
/// Turns every failure into an <c>application/problem+json</c> answer: <see cref="ApiProblemException"/> as
/// described, an oversized or broken request as 413/400, anything else as a bare 500 (the detail goes to the
/// log, not to the client).
/// </summary>
internal sealed class ProblemMiddleware
{
    public const string ContentType = "application/problem+json";

    private readonly RequestDelegate _next;
    private readonly ILogger _logger;

    public ProblemMiddleware(RequestDelegate next, ILogger logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        ApiProblemException problem;
        try
        {
            await _next(context).ConfigureAwait(false);
            return;
        }
        catch (ApiProblemException ex)
        {
            problem = ex;
            Log.ClientError(_logger, context.Request.Method, context.Request.Path.Value ?? "", ex.Status, ex.Reason, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            problem = new ApiProblemException(ex.StatusCode, ex.StatusCode == 413 ? "body-too-large" : "bad-request", "Bad request", ex.Message);
            Log.ClientError(_logger, context.Request.Method, context.Request.Path.Value ?? "", ex.StatusCode, problem.Reason, ex.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
            return;
        }
        catch (Exception ex)
        {
            Log.UnhandledError(_logger, context.Request.Method, context.Request.Path.Value ?? "", ex);
            problem = new ApiProblemException(500, "internal-error", "Internal error", "the control plane failed; its log has the details");
        }

        if (context.Response.HasStarted)
        {
            // Too late for a problem body: cut the response so the client cannot take it for complete.
            context.Abort();
            return;
        }

        var authenticate = context.Response.Headers.WWWAuthenticate;
        context.Response.Clear();
        if (problem.Status == 401)
        {
            context.Response.Headers.WWWAuthenticate = authenticate;
        }

        await JsonResponse.WriteAsync(context, problem.Status, problem.ToBody(), ControlPlaneJsonContext.Api.ProblemBody, ContentType).ConfigureAwait(false);
    }
}
