using EdgeFence.AspNetCore;

namespace EdgeFence.DemoOrigin;

/// <summary>The demo origin's routes, the same behind either EdgeFence middleware.</summary>
public static class DemoRoutes
{
    public const string HealthPath = "/healthz";

    /// <summary>
    /// Maps <c>/healthz</c> (never behind EdgeFence: the demo script polls it before the edge exists),
    /// <c>/download/{bytes}</c>, an OpenAI-compatible chat completion (<see cref="ChatCompletionsEndpoint"/>), an MCP tool
    /// server (<see cref="McpEndpoint"/>) and, for everything else, the echo.
    /// </summary>
    public static void Map(WebApplication app, DemoMode mode)
    {
        app.MapGet(HealthPath, () => Results.Text("ok"));
        app.MapGet("/download/{bytes}", context => DownloadEndpoint.HandleAsync(context, SignatureValid(context, mode)));
        app.MapPost(ChatCompletionsEndpoint.Path, context => ChatCompletionsEndpoint.HandleAsync(context, SignatureValid(context, mode)));
        app.MapPost(McpEndpoint.Path, context => McpEndpoint.HandleAsync(context, SignatureValid(context, mode)));

        // Everything else, any method: the lowest-precedence route, so the two above win where they match.
        app.Map("/{**path}", context => EchoEndpoint.HandleAsync(context, mode, SignatureValid(context, mode)));
    }

    public static bool IsHealthCheck(HttpContext context) => context.Request.Path.Equals(HealthPath, StringComparison.Ordinal);

    /// <summary>True for requests the signature middleware accepted (it sets the identity only then).</summary>
    private static bool SignatureValid(HttpContext context, DemoMode mode)
        => mode == DemoMode.Proxy && context.GetEdgeFenceIdentity() is not null;
}
