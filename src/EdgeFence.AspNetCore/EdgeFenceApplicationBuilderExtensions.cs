using EdgeFence.AspNetCore.Authorize;
using EdgeFence.AspNetCore.Signature;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeFence.AspNetCore;

/// <summary>
/// The two one-liners. The middlewares are built here with <c>app.Use</c> rather than
/// <c>UseMiddleware&lt;T&gt;</c>: no reflection over constructors and Invoke signatures, so nothing for
/// the trimmer or native AOT to lose.
/// </summary>
public static class EdgeFenceApplicationBuilderExtensions
{
    /// <summary>
    /// Proxy mode: refuses with 401 (<c>application/problem+json</c>, type
    /// <c>urn:edgefence:problem:invalid-signature</c>) every request that does not carry a valid,
    /// fresh <c>X-EdgeFence-Signature</c> for exactly its method and raw target, or that replays an
    /// accepted request id. Accepted requests get an <see cref="IEdgeFenceIdentityFeature"/>.
    /// Put it before anything that does work for the request.
    /// </summary>
    public static IApplicationBuilder UseEdgeFenceSignature(this IApplicationBuilder app, EdgeFenceSignatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var logger = app.ApplicationServices.GetRequiredService<ILogger<SignatureMiddleware>>();

        // Built once, when the pipeline is: the options' values are read now, and the replay cache
        // belongs to this one pipeline.
        return app.Use(next => new SignatureMiddleware(next, options, logger).InvokeAsync);
    }

    /// <summary>
    /// Middleware mode: asks the edge (<c>POST /v1/authorize</c>) about every request. A denial is
    /// answered with the edge's status, problem body and rate-limit headers; an allowed request goes on
    /// with an <see cref="IEdgeFenceIdentityFeature"/> and gets the <c>RateLimit-Policy</c> and
    /// <c>RateLimit</c> headers on its response. Without a decision, the configured
    /// <see cref="EdgeFenceFailurePolicy"/> applies. Needs
    /// <see cref="EdgeFenceServiceCollectionExtensions.AddEdgeFenceAuthorize"/>.
    /// </summary>
    public static IApplicationBuilder UseEdgeFenceAuthorize(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var failures = services.GetService<EdgeFailureCounter>()
            ?? throw new InvalidOperationException("UseEdgeFenceAuthorize needs services.AddEdgeFenceAuthorize(...) first.");

        // Reading Value runs the options validator: a bad EdgeUrl fails here, at start.
        var options = services.GetRequiredService<IOptions<EdgeFenceAuthorizeOptions>>().Value;
        var logger = services.GetRequiredService<ILogger<AuthorizeMiddleware>>();
        return app.Use(next => new AuthorizeMiddleware(next, options, failures, logger).InvokeAsync);
    }
}
