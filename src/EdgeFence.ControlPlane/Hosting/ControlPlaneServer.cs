using System.Security.Cryptography;
using EdgeFence.ControlPlane.Auth;
using EdgeFence.ControlPlane.Billing;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Dashboard;
using EdgeFence.ControlPlane.Revocations;
using EdgeFence.ControlPlane.Edges;
using EdgeFence.ControlPlane.Logging;
using EdgeFence.ControlPlane.OpenApi;
using EdgeFence.ControlPlane.Plans;
using EdgeFence.ControlPlane.Portal;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Resources;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Snapshots;
using EdgeFence.ControlPlane.Stats;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Telemetry;
using EdgeFence.ControlPlane.Tokens;
using EdgeFence.ControlPlane.Usage;
using EdgeFence.ControlPlane.UsageEvents;
using EdgeFence.ControlPlane.Wallets;
using EdgeFence.ControlPlane.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Hosting;

/// <summary>
/// The control plane process: migrates the database, loads (or creates) the signing key, makes sure a signed
/// snapshot exists, starts the pusher and the API. Program runs it; functional tests start it in-process on
/// a loopback port.
/// </summary>
public sealed class ControlPlaneServer : IAsyncDisposable
{
    /// <summary>
    /// Largest request body. The largest legitimate one is a site with its static headers, a few KiB; the cap
    /// stops a client (authenticated or not, the body is read after the key check) from making the service
    /// buffer megabytes of JSON.
    /// </summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    private readonly WebApplication _app;
    private readonly EdgePusher _pusher;
    private readonly EdgePusher _walletPusher;
    private readonly ECDsa _signingKey;
    private readonly ILogger _logger;
    private readonly ConnectionMultiplexer? _redis;
    private readonly ControlPlaneMetrics _metrics;
    private readonly BillingServices _billing;
    private readonly UsageLedgerPusher? _usagePusher;
    private ChannelPublisher? _channel;
    private int _stopped;

    private ControlPlaneServer(WebApplication app, EdgePusher pusher, EdgePusher walletPusher, ECDsa signingKey, ConnectionMultiplexer? redis, ControlPlaneMetrics metrics, BillingServices billing, UsageLedgerPusher? usagePusher, string databasePath, string publicKeyPath, ILogger logger)
    {
        _billing = billing;
        _usagePusher = usagePusher;
        _metrics = metrics;
        _app = app;
        _pusher = pusher;
        _walletPusher = walletPusher;
        _signingKey = signingKey;
        _redis = redis;
        DatabasePath = databasePath;
        PublicKeyPath = publicKeyPath;
        _logger = logger;
    }

    /// <summary>Listener addresses as bound (port 0 resolved).</summary>
    public IReadOnlyList<string> Urls => [.. _app.Urls];

    public string DatabasePath { get; }

    /// <summary>The public half of the signing key, for the edges' <c>EdgeFence:SnapshotPublicKey</c>.</summary>
    public string PublicKeyPath { get; }

    /// <summary>Every mapped route as (HTTP method, route pattern): what the OpenAPI document must describe.</summary>
    internal IReadOnlyList<(string Method, string Pattern)> Routes =>
    [
        .. ((IEndpointRouteBuilder)_app).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(method => (method, endpoint.RoutePattern.RawText ?? ""))),
    ];

    /// <summary>
    /// Starts the control plane. Configuration problems throw <see cref="ControlPlaneConfigurationException"/>.
    /// <paramref name="configureLogging"/> lets a host add its own log providers (tests read every line logged).
    /// </summary>
    public static async Task<ControlPlaneServer> StartAsync(string[] args, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        var options = ControlPlaneOptionsLoader.Load(builder.Configuration);
        var edges = ControlPlaneOptionsLoader.ParseEdges(options.Edges);
        var redisOptions = ControlPlaneOptionsLoader.ParseRedis(options.Redis);

        if (options.LogFormat == "json")
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole();
        }

        // ASP.NET Core's per-request lines would drown the change log; its warnings and errors still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);
        builder.WebHost.UseUrls(ControlPlaneOptionsLoader.SplitList(options.Urls));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddRouting();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ControlPlaneMetrics.MeterName)
            .AddPrometheusExporter());
        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("EdgeFence.ControlPlane");

        var (signingKey, generated) = SigningKeyFile.LoadOrCreate(options.SigningKey);
        var publicKeyPath = SigningKeyFile.PublicKeyPath(options.SigningKey);
        if (generated)
        {
            Log.SigningKeyGenerated(logger, options.SigningKey, publicKeyPath);
        }

        var time = TimeProvider.System;
        var metrics = new ControlPlaneMetrics();
        var pusher = new EdgePusher(edges, EdgePusher.SnapshotPath, "snapshot", TimeSpan.FromSeconds(options.PushRetryMaxSeconds), time, loggers.CreateLogger("EdgeFence.ControlPlane.Edges"), metrics.PushFailed);

        // Deposits travel on their own (PUT {edge}/v1/wallets), so a credit never waits behind a snapshot.
        var walletPusher = new EdgePusher(edges, EdgePusher.WalletsPath, "wallet book", TimeSpan.FromSeconds(options.PushRetryMaxSeconds), time, loggers.CreateLogger("EdgeFence.ControlPlane.Edges"), metrics.WalletPushFailed);
        metrics.Observe(() => pusher.LatestVersion, pusher.EdgesBehind);
        ConnectionMultiplexer? redis = null;
        BillingServices? billing = null;
        UsageLedgerPusher? usagePusher = null;
        ChannelPublisher? channel = null;
        try
        {
            Database database;
            try
            {
                database = new Database(options.Database);
                Migrator.Migrate(database, Migrations.All, logger);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
            {
                throw new ControlPlaneConfigurationException("ControlPlane:Database", $"'{options.Database}' cannot be opened as a SQLite database ({ex.Message})");
            }

            // One connection for the process; AbortOnConnectFail is off, so a Redis down at start only makes usage 503 until it answers
            // (and keeps revocation channel entries in the outbox until it does).
            redis = redisOptions is null ? null : await ConnectionMultiplexer.ConnectAsync(redisOptions).ConfigureAwait(false);

            // The revocation channel needs Redis: without it nothing is written to the outbox, which would only grow.
            var outbox = redis is null ? null : new ChannelOutbox(signingKey);
            channel = redis is null ? null : new ChannelPublisher(database, outbox!, redis, options.ChannelStream, signingKey, () => pusher.LatestVersion, time, loggers.CreateLogger("EdgeFence.ControlPlane.Revocations"));
            var changes = new ChangeRunner(database, new SnapshotIssuer(signingKey), pusher, time, TimeSpan.FromMilliseconds(options.PushWaitMilliseconds), loggers.CreateLogger("EdgeFence.ControlPlane.Changes"), metrics, outbox, channel);
            var deposits = new DepositRunner(database, new WalletBookIssuer(signingKey), walletPusher, time, TimeSpan.FromMilliseconds(options.PushWaitMilliseconds), loggers.CreateLogger("EdgeFence.ControlPlane.Wallets"), metrics, outbox, channel);
            pusher.FullSnapshotSource = changes.LatestFullAsync;
            pusher.Start();
            walletPusher.Start();
            var latest = await changes.InitializeAsync().ConfigureAwait(false);
            deposits.Initialize();

            // Started after the first snapshot exists (heartbeats carry its version); drains what a previous run left in the outbox.
            channel?.Start();
            var openApi = OpenApiDocument.Load();
            // Middleware built by hand rather than UseMiddleware<T>, which finds constructors by reflection.
            var apiLogger = loggers.CreateLogger("EdgeFence.ControlPlane.Api");
            var adminKey = new ApiKey(options.AdminKey!);
            var edgeKey = options.EdgeKey is null ? null : new ApiKey(options.EdgeKey);
            app.Use(next => new ProblemMiddleware(next, apiLogger).InvokeAsync);
            app.Use(next => new ApiKeyMiddleware(next, adminKey, edgeKey, apiLogger).InvokeAsync);
            app.UseRouting();
            new SiteEndpoints(database, changes).Map(app);
            new PlanEndpoints(database, changes).Map(app);
            new ResourceEndpoints(database, changes).Map(app);
            new TokenEndpoints(database, changes).Map(app);
            new UsageEndpoints(database, redis, time).Map(app);
            var rollups = new UsageRollups(database);
            new AnalyticsEndpoints(new RollupStore(database, time), rollups, time).Map(app);
            new StatsEndpoints(database, redis, options.StatsSource == "stream" ? null : rollups, time).Map(app);
            new SnapshotEndpoints(pusher).Map(app);
            new WalletEndpoints(database, deposits, walletPusher, new DebitReader(redis)).Map(app);

            // The web half: the dashboard (its own login, not the bearer key) and the customer portal (signed links).
            var dashboardData = new DashboardData(database, redis, pusher, walletPusher, new DebitReader(redis), time);
            var loginThrottle = new LoginThrottle();
            app.Lifetime.ApplicationStopped.Register(loginThrottle.Dispose);
            new DashboardEndpoints(adminKey, new DashboardSessions(time), loginThrottle, new DashboardPages(dashboardData, database)).Map(app);
            new PortalEndpoints(new PortalLinks(signingKey, time), dashboardData).Map(app);
            new WebhookEndpoints(database, time).Map(app);
            var alerts = new AlertMonitor(database, dashboardData, time, TimeSpan.FromSeconds(options.AlertIntervalSeconds), TimeSpan.FromSeconds(options.WebhookRetrySeconds),
                options.LowBalanceMicros, new TrafficSpikeRule(options.TrafficSpikeFactor, options.TrafficSpikeMinRequests), loggers.CreateLogger("EdgeFence.ControlPlane.Webhooks"));
            alerts.Start();
            app.Lifetime.ApplicationStopping.Register(() => alerts.DisposeAsync().AsTask().GetAwaiter().GetResult());
            // Usage events count into the edges' ledger in Redis; without Redis the endpoint says there is none.
            usagePusher = redis is null ? null : new UsageLedgerPusher(database, redis, loggers.CreateLogger("EdgeFence.ControlPlane.UsageEvents"));
            usagePusher?.Start();
            new UsageEventEndpoints(database, usagePusher is null ? null : new UsageEventRecorder(database, usagePusher, time, loggers.CreateLogger("EdgeFence.ControlPlane.UsageEvents"))).Map(app);
            billing = BillingModule.Map(app, builder.Configuration, options.SigningKey, database, changes, time, loggers, redis);
            app.MapGet(OpenApiDocument.Path, context =>
            {
                context.Response.ContentType = "application/json";
                return context.Response.Body.WriteAsync(openApi, context.RequestAborted).AsTask();
            });
            app.MapGet("/healthz", context =>
            {
                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync("{\"status\":\"alive\"}", context.RequestAborted);
            });
            app.MapGet("/readyz", context => ReadyAsync(context, database, pusher, redis));

            // Same exposure as /healthz, no key: operational numbers (versions, counts of changes and failed pushes,
            // edge host names already in the configuration), no tenant data; scrapers rarely carry bearer keys, and
            // the listener is meant for the operators' network, not the internet. Per-site traffic needs the admin key
            // (GET /v1/sites/{id}/stats).
            // The exporter maps every method; GET only, like the other routes (and what the OpenAPI check sees).
            app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
            app.MapFallback(context => throw new ApiProblemException(404, "not-found", "Not found", $"no endpoint {context.Request.Method} {context.Request.Path}"));

            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new ControlPlaneConfigurationException("ControlPlane:Urls", ex.Message);
            }

            var server = new ControlPlaneServer(app, pusher, walletPusher, signingKey, redis, metrics, billing, usagePusher, database.Path, publicKeyPath, logger) { _channel = channel };
            Log.Started(logger, string.Join(' ', server.Urls), Math.Max(latest.Version, pusher.LatestVersion), pusher.EdgeCount);
            return server;
        }
        catch
        {
            if (billing is not null)
            {
                await billing.DisposeAsync().ConfigureAwait(false);
            }

            if (usagePusher is not null)
            {
                await usagePusher.DisposeAsync().ConfigureAwait(false);
            }

            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            if (redis is not null)
            {
                await redis.DisposeAsync().ConfigureAwait(false);
            }

            await pusher.DisposeAsync().ConfigureAwait(false);
            await walletPusher.DisposeAsync().ConfigureAwait(false);
            signingKey.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            metrics.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Ready when the database answers and a signed snapshot exists (the signing key loaded and used); 503 otherwise.
    /// Redis is reported (<c>standalone</c>, <c>up</c>, <c>down</c>) but not required: only usage and stats need it.
    /// </summary>
    private static Task ReadyAsync(HttpContext context, Database database, EdgePusher pusher, ConnectionMultiplexer? redis)
    {
        bool databaseOk;
        try
        {
            using var connection = database.Open();
            databaseOk = connection.Command(null, "SELECT 1").Exists();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            databaseOk = false;
        }

        long? snapshot = pusher.LatestVersion is > 0 and var v ? v : null;
        var ready = databaseOk && snapshot is not null;
        var redisState = redis is null ? "standalone" : redis.IsConnected ? "up" : "down";
        context.Response.StatusCode = ready ? 200 : 503;
        context.Response.ContentType = "application/json";
        var body = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{{\"status\":\"{(ready ? "ready" : "not-ready")}\",\"database\":\"{(databaseOk ? "ok" : "failing")}\",\"signingKey\":\"{(snapshot is null ? "no-snapshot" : "loaded")}\",\"snapshotVersion\":{snapshot ?? 0},\"redis\":\"{redisState}\"}}");
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Completes when the process is asked to stop (SIGTERM, Ctrl-C).</summary>
    public Task WaitForShutdownAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _app.Lifetime.ApplicationStopping.Register(() => done.TrySetResult());
        return done.Task;
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        Log.Stopping(_logger);
        await _app.StopAsync().ConfigureAwait(false);
        if (_channel is not null)
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
        }

        await _pusher.DisposeAsync().ConfigureAwait(false);
        await _walletPusher.DisposeAsync().ConfigureAwait(false);
        if (_usagePusher is not null)
        {
            await _usagePusher.DisposeAsync().ConfigureAwait(false);
        }

        // Before Redis is disposed (DisposeAsync): the exporter reads the ledger.
        if (_billing.Exporter is not null)
        {
            await _billing.Exporter.DisposeAsync().ConfigureAwait(false);
        }

        await _billing.Suspender.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        _signingKey.Dispose();
        _metrics.Dispose();
        await _billing.DisposeAsync().ConfigureAwait(false);
    }
}
