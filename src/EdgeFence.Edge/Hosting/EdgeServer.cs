using System.Net;
using EdgeFence.Edge.Admin;
using EdgeFence.Edge.Analytics;
using EdgeFence.Edge.Authorize;
using EdgeFence.Edge.DecisionLog;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Payments.X402;
using EdgeFence.Edge.Payments;
using EdgeFence.Edge.Proxy.Inbound;
using EdgeFence.Edge.Proxy.Upstream;
using EdgeFence.Edge.Proxy;
using EdgeFence.Edge.Revocations;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Sync;
using EdgeFence.Edge.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Hosting;

/// <summary>
/// One edge process: two Kestrel applications sharing one store and one snapshot manager. The public
/// one serves only proxy and authorize; the admin one only snapshot push and health. Two applications
/// rather than one with a port check, so the admin surface cannot leak onto the public listener.
/// Program runs it; functional tests start it in-process on loopback ports.
/// </summary>
public sealed class EdgeServer : IAsyncDisposable
{
    private readonly WebApplication _public;
    private readonly WebApplication _admin;
    private readonly CounterStore _counters;
    private readonly SnapshotManager _snapshots;
    private readonly DecisionLogWriter _decisionLog;
    private readonly QuotaSync? _sync;
    private readonly RedisLedger? _ledger;
    private readonly RollupShipper? _rollups;
    private readonly ILogger _logger;
    private ChannelFollower? _follower;
    private int _stopped;

    private EdgeServer(WebApplication publicApp, WebApplication adminApp, CounterStore counters, SnapshotManager snapshots, DecisionLogWriter decisionLog, QuotaSync? sync, RedisLedger? ledger, RollupShipper? rollups, ILogger logger)
    {
        _rollups = rollups;
        _sync = sync;
        _ledger = ledger;
        _decisionLog = decisionLog;
        _public = publicApp;
        _admin = adminApp;
        _counters = counters;
        _snapshots = snapshots;
        _logger = logger;
    }

    /// <summary>Public listener addresses as bound (port 0 resolved).</summary>
    public IReadOnlyList<string> PublicUrls => [.. _public.Urls];

    public IReadOnlyList<string> AdminUrls => [.. _admin.Urls];

    /// <summary>Builds, loads the snapshot, and starts both listeners. Configuration problems throw <see cref="EdgeConfigurationException"/>.</summary>
    public static async Task<EdgeServer> StartAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        var options = EdgeOptionsValidator.Load(builder.Configuration);
        var publicKey = EdgeOptionsValidator.LoadPublicKey(options);
        var nodeId = options.NodeId ?? Dns.GetHostName();
        var publicUrls = EdgeOptionsValidator.SplitUrls(options.Urls);
        var inline = options.UsesInlineScheduling(builder.Configuration["Kestrel:EndpointDefaults:Protocols"], publicUrls);
        InlineSocketCompletions(inline);

        // Threat: request smuggling. Kestrel accepts a bare LF as a line end, which a proxy in front of the edge may
        // read differently; the edge's own parser refuses it, and so does Kestrel's stack with this (read per server).
        AppContext.SetSwitch("Microsoft.AspNetCore.Server.Kestrel.DisableHttp1LineFeedTerminators", true);

        ConfigureHost(builder, options, publicUrls, maxRequestBodySize: null);
        if (inline)
        {
            // The public listener only: admin requests (snapshot verification) may take long and must not hold an I/O thread.
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        }

        // With Redis the edges share quotas; without it the edge runs standalone on FASTER alone.
        var ledger = string.IsNullOrWhiteSpace(options.Redis) ? null : await RedisLedger.ConnectAsync(options.Redis, nodeId).ConfigureAwait(false);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new CounterStore(Path.Combine(options.DataDir, "counters"), options.ExpectedEntitlements));
        services.AddSingleton(sp => new SnapshotManager(publicKey, options.DataDir, sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.Snapshots")));
        services.AddSingleton(sp => new WalletManager(publicKey, options.DataDir, sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.Payments")));
        if (ledger is not null)
        {
            services.AddSingleton(sp =>
            {
                var snapshots = sp.GetRequiredService<SnapshotManager>();
                var wallets = sp.GetRequiredService<WalletManager>();
                return new QuotaSync(ledger, sp.GetRequiredService<CounterStore>(), options, () => snapshots.Current, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.Sync"), wallets.Accounts);
            });
        }

        var overlay = new RevocationOverlay();
        var freshness = new ConfigFreshness(TimeProvider.System, options.MaxConfigAgeSeconds, options.StaleConfigPolicy == "refuse");
        services.AddSingleton(sp => new DecisionEngine(sp.GetRequiredService<CounterStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<QuotaSync>(), sp.GetRequiredService<WalletManager>(), overlay, freshness));
        services.AddSingleton(sp =>
        {
            var snapshots = sp.GetRequiredService<SnapshotManager>();
            Func<int>? redisUp = ledger is null ? null : () => sp.GetService<QuotaSync>()?.Healthy == true ? 1 : 0;
            Func<double>? reconcileLag = ledger is null ? null : () => sp.GetService<QuotaSync>()?.ReconcileLagSeconds ?? 0;
            Func<int>? slotsDown = ledger is null ? null : () => sp.GetService<QuotaSync>()?.SlotsDown ?? 0;
            var metrics = new EdgeMetrics(() => snapshots.Current?.Version ?? 0, redisUp, reconcileLag, slotsDown);
            if (freshness.Enabled)
            {
                metrics.ObserveFreshness(freshness.AgeSeconds, () => freshness.IsStale() ? 1 : 0);
            }

            return metrics;
        });
        IDecisionSink files = new NdjsonDecisionSink(Path.Combine(options.DataDir, "decisions"), nodeId);
        var decisionSink = ledger is null || !options.DecisionLogRedisStream ? files : new RedisStreamDecisionSink(ledger, files, nodeId);
        var analytics = options.Analytics && !string.IsNullOrWhiteSpace(options.ControlPlaneUrl);
        if (analytics)
        {
            services.AddSingleton(_ => new RollupAggregator());
            services.AddSingleton(sp => new RollupShipper(
                sp.GetRequiredService<RollupAggregator>(),
                new RollupSpool(Path.Combine(options.DataDir, "rollups"), nodeId, (long)options.AnalyticsSpoolMaxMiB * 1024 * 1024, sp.GetRequiredService<TimeProvider>()),
                new Uri(options.ControlPlaneUrl!.TrimEnd('/') + "/v1/analytics/rollups"),
                options.ControlPlaneKey,
                TimeSpan.FromSeconds(options.AnalyticsFlushSeconds),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.Analytics")));
        }

        services.AddSingleton(sp => new DecisionLogWriter(
            decisionSink,
            options.DecisionLogCapacity,
            sp.GetRequiredService<EdgeMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.DecisionLog")));
        services.AddSingleton(sp => new DecisionReporter(sp.GetRequiredService<EdgeMetrics>(), sp.GetRequiredService<DecisionLogWriter>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<RollupAggregator>()));
        services.AddSingleton(sp => new AuthorizeHandler(sp.GetRequiredService<SnapshotManager>(), sp.GetRequiredService<DecisionEngine>(), sp.GetRequiredService<DecisionReporter>(), sp.GetRequiredService<ILogger<AuthorizeHandler>>()));
        services.AddHttpForwarder();
        services.AddSingleton(_ => OriginClient.Create());
        services.AddSingleton(new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(options.OriginTimeoutSeconds) });
        services.AddSingleton(sp => new X402Gate(new FacilitatorClient(TimeSpan.FromMilliseconds(options.X402VerifyTimeoutMs), TimeSpan.FromMilliseconds(options.X402SettleTimeoutMs)), new PaymentReplayGuard(options.X402ReplayGuardEntries), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<DecisionReporter>(), sp.GetRequiredService<ILogger<X402Gate>>()));
        if (options.Upstream == "pipelines")
        {
            services.AddSingleton(sp => new UpstreamForwarder(TimeSpan.FromSeconds(options.OriginTimeoutSeconds), sp.GetRequiredService<ILogger<UpstreamForwarder>>()));
        }

        if (options.FastPath && options.Upstream == "pipelines")
        {
            AddFastPath(builder, options);
        }

        services.AddSingleton(sp => new EdgeRequestHandler(
            sp.GetRequiredService<SnapshotManager>(),
            sp.GetRequiredService<DecisionEngine>(),
            sp.GetRequiredService<AuthorizeHandler>(),
            sp.GetRequiredService<IHttpForwarder>(),
            sp.GetRequiredService<HttpMessageInvoker>(),
            sp.GetRequiredService<ForwarderRequestConfig>(),
            sp.GetService<UpstreamForwarder>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<DecisionReporter>(),
            sp.GetRequiredService<X402Gate>(),
            sp.GetRequiredService<ILogger<EdgeRequestHandler>>()));
        services.AddHostedService(sp => new CheckpointService(sp.GetRequiredService<CounterStore>(), TimeSpan.FromSeconds(options.CheckpointIntervalSeconds), sp.GetRequiredService<ILogger<CheckpointService>>()));

        var publicApp = builder.Build();
        var logger = publicApp.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge");
        var counters = publicApp.Services.GetRequiredService<CounterStore>();
        if (counters.RecoveredVersion > 1)
        {
            Log.CountersRecovered(logger, counters.RecoveredVersion);
        }

        var snapshots = publicApp.Services.GetRequiredService<SnapshotManager>();
        snapshots.LoadAtStart(options.SnapshotPath);
        var wallets = publicApp.Services.GetRequiredService<WalletManager>();
        wallets.LoadAtStart();

        // From here on, a snapshot or wallet book the control plane sends is word from it; a snapshot also
        // carries the revocations the channel told of up to its version.
        snapshots.Applied = version =>
        {
            overlay.Prune(version);
            freshness.Heard();
        };
        wallets.Applied = freshness.Heard;
        await ControlPlanePull.PullAsync(options, snapshots, wallets, logger).ConfigureAwait(false);

        // The revocation channel: only with Redis and a public key to verify its entries with.
        ChannelFollower? follower = null;
        if (ledger is not null && publicKey is not null)
        {
            follower = new ChannelFollower(ledger, options.ChannelStream, publicKey, snapshots, wallets, overlay, freshness, publicApp.Services.GetRequiredService<EdgeMetrics>(), TimeSpan.FromMilliseconds(options.ChannelPollMs), options.DataDir, TimeProvider.System, publicApp.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.Revocations"));
            follower.Start();
        }
        else if (ledger is not null)
        {
            Log.ChannelDisabled(logger);
        }
        if (publicKey is null)
        {
            Log.UnsignedSnapshotsAccepted(logger);
        }

        if (snapshots.Current is null)
        {
            Log.NoSnapshot(logger);
        }

        var handler = publicApp.Services.GetRequiredService<EdgeRequestHandler>();
        publicApp.Run(handler.HandleAsync);

        var decisionLog = publicApp.Services.GetRequiredService<DecisionLogWriter>();

        var adminBuilder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        ConfigureHost(adminBuilder, options, EdgeOptionsValidator.SplitUrls(options.AdminUrls), maxRequestBodySize: (long)options.MaxSnapshotMiB * 1024 * 1024);
        adminBuilder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(EdgeMetrics.MeterName)
            // The runtime's own instruments (dotnet_gc_pause_time_seconds_total, dotnet_gc_collections_total,
            // dotnet_process_memory_working_set_bytes, ...): loadtests/soak.sh samples them for GC pauses.
            .AddMeter("System.Runtime")
            .AddView(EdgeMetrics.RequestDuration, new ExplicitBucketHistogramConfiguration { Boundaries = EdgeMetrics.DurationBuckets })
            .AddPrometheusExporter());
        var adminApp = adminBuilder.Build();
        var publicServices = publicApp.Services;
        Func<string> redisState = ledger is null ? static () => "standalone" : () => publicServices.GetService<QuotaSync>()?.State ?? "down";
        AdminEndpoints.Map(adminApp, snapshots, wallets, redisState, freshness, options.MaxSnapshotMiB * 1024 * 1024, adminApp.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.Admin"));
        adminApp.MapPrometheusScrapingEndpoint("/metrics");

        await StartListenerAsync(publicApp, "EdgeFence:Urls").ConfigureAwait(false);
        try
        {
            await StartListenerAsync(adminApp, "EdgeFence:AdminUrls").ConfigureAwait(false);
        }
        catch
        {
            await publicApp.StopAsync().ConfigureAwait(false);
            throw;
        }

        var sync = publicApp.Services.GetService<QuotaSync>();
        var rollups = publicApp.Services.GetService<RollupShipper>();
        rollups?.Start();
        var server = new EdgeServer(publicApp, adminApp, counters, snapshots, decisionLog, sync, ledger, rollups, logger) { _follower = follower };
        Log.Started(logger, nodeId, string.Join(' ', server.PublicUrls), string.Join(' ', server.AdminUrls));
        return server;
    }

    /// <summary>Completes when either listener is asked to stop (SIGTERM, Ctrl-C).</summary>
    public Task WaitForShutdownAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _public.Lifetime.ApplicationStopping.Register(() => done.TrySetResult());
        _admin.Lifetime.ApplicationStopping.Register(() => done.TrySetResult());
        return done.Task;
    }

    /// <summary>Stops accepting, drains in-flight requests and the decision log, takes the final checkpoint.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _admin.StopAsync().ConfigureAwait(false);
        await _public.StopAsync().ConfigureAwait(false);
        Log.Stopping(_logger);
        if (_follower is not null)
        {
            await _follower.DisposeAsync().ConfigureAwait(false);
        }

        await _decisionLog.DisposeAsync().ConfigureAwait(false);
        if (_rollups is not null)
        {
            // After the listeners stopped: every decision is in the table, and the last partial interval goes out.
            await _rollups.DisposeAsync().ConfigureAwait(false);
        }

        if (_sync is not null)
        {
            await _sync.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await _counters.CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.CheckpointFailed(_logger, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _admin.DisposeAsync().ConfigureAwait(false);
        await _public.DisposeAsync().ConfigureAwait(false);
        _snapshots.Dispose();
        _counters.Dispose();
        if (_ledger is not null)
        {
            await _ledger.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void ConfigureHost(WebApplicationBuilder builder, EdgeOptions options, string[] urls, long? maxRequestBodySize)
    {
        if (options.LogFormat == "json")
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole();
        }

        // ASP.NET Core's hosting diagnostics ("Request starting", "Request finished") and YARP's forwarder
        // ("Proxying to", "Received response") log every request at Information: four console lines per
        // request, which under load cost more than the edge's own work (loadtests/run.sh; see
        // loadtests/README.md). The decision log is the per-request record. Warnings and errors still
        // show, and a level set in configuration (Logging:LogLevel:Yarp=Information) still wins.
        foreach (var category in (ReadOnlySpan<string>)["Microsoft.AspNetCore", "Yarp"])
        {
            if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
            {
                builder.Logging.AddFilter(category, LogLevel.Warning);
            }
        }

        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Kestrel's limits (timeouts, header sizes, connection counts) from configuration, as the full host
            // builder reads them; the slim builder reads only endpoints. The fast path takes its timeouts from them too.
            builder.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);

            // Public: bodies are streamed to the origin, never buffered, so their size cannot exhaust the
            // edge's memory; the origin applies its own limit. Admin: snapshots are buffered whole to
            // verify their signature, so their size is capped (EdgeFence:MaxSnapshotMiB).
            kestrel.Limits.MaxRequestBodySize = maxRequestBodySize;
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// The fast path: a connection middleware on every public endpoint, in front of Kestrel's HTTP layer (which
    /// <c>next</c> is), so what the fast path does not serve reaches Kestrel's stack unread.
    /// </summary>
    private static void AddFastPath(WebApplicationBuilder builder, EdgeOptions options)
    {
        var services = builder.Services;
        services.AddSingleton(sp => new FastRequestHandler(
            sp.GetRequiredService<SnapshotManager>(),
            sp.GetRequiredService<DecisionEngine>(),
            sp.GetRequiredService<UpstreamForwarder>(),
            new RawForwarder(TimeSpan.FromSeconds(options.OriginTimeoutSeconds), sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.Proxy.Upstream")),
            new FastAuthorizeHandler(sp.GetRequiredService<AuthorizeHandler>(), sp.GetRequiredService<DecisionReporter>()),
            sp.GetRequiredService<DecisionReporter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.Proxy.Inbound")));
        services.AddSingleton(sp => new FastPathMiddleware(
            sp.GetRequiredService<FastRequestHandler>(),
            new InboundTimeouts(sp.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeFence.Edge.Proxy.Inbound")));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next =>
        {
            var fast = listen.ApplicationServices.GetRequiredService<FastPathMiddleware>();
            return context => fast.OnConnectionAsync(context, next);
        })));
    }

    /// <summary>
    /// The socket engine reads DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS once, when the process's first socket
    /// is made: in the edge binary that is after this point (Redis, the control plane pull and the listeners come
    /// later). In a process that already has sockets (functional tests) it changes nothing. A value set in the
    /// environment wins either way.
    /// </summary>
    private static void InlineSocketCompletions(bool inline)
    {
        const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (inline && Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }

    private static async Task StartListenerAsync(WebApplication app, string key)
    {
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new EdgeConfigurationException(key, ex.Message);
        }
    }
}
