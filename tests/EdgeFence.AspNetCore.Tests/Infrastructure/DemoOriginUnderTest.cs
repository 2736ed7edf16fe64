using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EdgeFence.DemoOrigin;
using EdgeFence.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeFence.AspNetCore.Tests.Infrastructure;

/// <summary>
/// The sample origin (src/EdgeFence.DemoOrigin), composed exactly as its Program does, on a real
/// Kestrel at 127.0.0.1:0. In proxy mode a tap in front of the signature middleware records each
/// request as it arrived (method, raw target, headers), so a test can replay what the edge sent.
/// </summary>
public sealed class DemoOriginUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoOriginUnderTest(WebApplication app, CollectingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        Client = new HttpClient();
    }

    public string Url => _app.Urls.First();

    public HttpClient Client { get; }

    public CollectingLoggerProvider Logs { get; }

    /// <summary>The origin's clock, for the signature's timestamp check.</summary>
    public ShiftedClock Clock { get; } = new();

    /// <summary>Every request that reached the origin (proxy mode), before verification.</summary>
    public ConcurrentQueue<RecordedRequest> Arrived { get; } = new();

    public IMeterFactory MeterFactory => _app.Services.GetRequiredService<IMeterFactory>();

    /// <summary>Proxy mode, keyed with the test snapshot's HMAC secret and this origin's clock.</summary>
    public static async Task<DemoOriginUnderTest> StartProxyModeAsync(Action<EdgeFenceSignatureOptions>? edit = null)
    {
        var (builder, logs) = CreateBuilder();
        var app = builder.Build();
        var origin = new DemoOriginUnderTest(app, logs);
        var options = new EdgeFenceSignatureOptions(TestSnapshot.HmacSecret) { TimeProvider = origin.Clock };
        edit?.Invoke(options);
        app.Use(origin.RecordAsync);
        ProxyModeOrigin.Configure(app, options);
        await app.StartAsync();
        return origin;
    }

    /// <summary>Middleware mode, asking the edge at <paramref name="edgeUrl"/> with the test snapshot's origin key.</summary>
    public static async Task<DemoOriginUnderTest> StartMiddlewareModeAsync(string edgeUrl, Action<EdgeFenceAuthorizeOptions>? edit = null)
    {
        var (builder, logs) = CreateBuilder();
        builder.Services.AddEdgeFenceAuthorize(options =>
        {
            options.EdgeUrl = new Uri(edgeUrl);
            options.OriginKey = TestSnapshot.OriginKey;
            edit?.Invoke(options);
        });
        var app = builder.Build();
        var origin = new DemoOriginUnderTest(app, logs);
        MiddlewareModeOrigin.Configure(app);
        await app.StartAsync();
        return origin;
    }

    /// <summary>Sends <paramref name="recorded"/> again, straight to the origin, with its EdgeFence headers and optionally another method or target.</summary>
    public Task<HttpResponseMessage> ReplayAsync(RecordedRequest recorded, string? target = null, string? method = null, Action<HttpRequestMessage>? edit = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method ?? recorded.Method), Url + (target ?? recorded.RawTarget));
        foreach (var (name, value) in recorded.Headers)
        {
            if (name.StartsWith("X-EdgeFence-", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        edit?.Invoke(request);
        return Client.SendAsync(request);
    }

    private static (WebApplicationBuilder Builder, CollectingLoggerProvider Logs) CreateBuilder()
    {
        var builder = DemoOriginHost.CreateBuilder([], "http://127.0.0.1:0");
        var logs = new CollectingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System", LogLevel.Warning);
        return (builder, logs);
    }

    private Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in context.Request.Headers)
        {
            headers[header.Key] = header.Value.ToString();
        }

        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        Arrived.Enqueue(new RecordedRequest(context.Request.Method, raw, headers, 0, ""));
        return next(context);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
