using System.Net;
using System.Net.Http.Headers;
using EdgeFence.AspNetCore.Authorize;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeFence.AspNetCore;

/// <summary>Registers what <see cref="EdgeFenceApplicationBuilderExtensions.UseEdgeFenceAuthorize"/> needs.</summary>
public static class EdgeFenceServiceCollectionExtensions
{
    /// <summary>
    /// Largest answer read from the edge. A decision is a few hundred bytes; the cap keeps a
    /// misconfigured <see cref="EdgeFenceAuthorizeOptions.EdgeUrl"/> (pointing at something that
    /// streams) from costing memory on every request.
    /// </summary>
    private const int MaxAnswerBytes = 64 * 1024;

    /// <summary>
    /// Connections to the edge are recycled after this long so a DNS change of the edge's name is
    /// picked up; the handler itself lives forever and keeps its pool (the pattern recommended for
    /// IHttpClientFactory with SocketsHttpHandler).
    /// </summary>
    private static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Registers the options, their validation at start, the metric, and the typed client for the
    /// edge's <c>/v1/authorize</c> on a pooled <see cref="SocketsHttpHandler"/>.
    /// </summary>
    public static IServiceCollection AddEdgeFenceAuthorize(this IServiceCollection services, Action<EdgeFenceAuthorizeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<EdgeFenceAuthorizeOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EdgeFenceAuthorizeOptions>, EdgeFenceAuthorizeOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<EdgeFailureCounter>();

        services.AddHttpClient<EdgeAuthorizeClient>((provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<EdgeFenceAuthorizeOptions>>().Value;
                http.BaseAddress = options.EdgeUrl;
                http.Timeout = options.Timeout;
                http.MaxResponseContentBufferSize = MaxAnswerBytes;
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.OriginKey);
            })
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                PooledConnectionLifetime = PooledConnectionLifetime,
                ConnectTimeout = provider.GetRequiredService<IOptions<EdgeFenceAuthorizeOptions>>().Value.Timeout,
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)

            // The factory's default handlers log every call at Information: one more line per request
            // of the application, with the edge's URL, which nobody asked for.
            .RemoveAllLoggers();
        return services;
    }
}
