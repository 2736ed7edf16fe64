using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Hosting;
using EdgeFence.ControlPlane.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>Selling subscriptions through Stripe: its configuration, its key file, its endpoints. The server maps it with one call.</summary>
internal static class BillingModule
{
    /// <summary>
    /// Maps the billing endpoints and, with <paramref name="redis"/> (the edges' ledger), starts the meter exporter; what it
    /// returns owns the HTTP client and the exporter and is disposed with the server.
    /// </summary>
    public static BillingServices Map(IEndpointRouteBuilder app, IConfiguration configuration, string signingKeyPath, Database database, ChangeRunner changes, TimeProvider time, ILoggerFactory loggers, StackExchange.Redis.IConnectionMultiplexer? redis)
    {
        var options = Load(configuration);
        var box = StripeSecretBox.LoadOrCreate(options.SecretsKey ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(signingKeyPath)) ?? ".", "billing-secrets.key"));
        var logger = loggers.CreateLogger("EdgeFence.ControlPlane.Billing");
        var stripe = new StripeGateway(options);
        var meters = new StripeMeters(database, stripe, options);
        var prices = new StripePrices(database, stripe, changes, meters);
        new StripeConnectionEndpoints(database, changes, box, prices, options.OverageMeterEvent, logger).Map(app);
        new CheckoutEndpoint(database, changes, box, prices, stripe, options, time, logger).Map(app);
        var suspendAfter = TimeSpan.FromHours(options.SuspendAfterHours);
        new StripeWebhookEndpoint(database, changes, box, stripe, time, logger, suspendAfter).Map(app);
        new ClaimEndpoint(database, changes, box, stripe, time, logger).Map(app);
        var exporter = redis is null ? null : new MeterExporter(database, redis, box, stripe, meters, options, time, logger);
        exporter?.Start();
        var suspender = new PaymentSuspender(database, changes, suspendAfter, TimeSpan.FromSeconds(options.SuspensionCheckSeconds), time, logger);
        suspender.Start();
        return new BillingServices(stripe, exporter, suspender);
    }

    private static BillingOptions Load(IConfiguration configuration)
    {
        var options = new BillingOptions();
        try
        {
            configuration.GetSection(BillingOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new ControlPlaneConfigurationException(BillingOptions.Section, ex.Message);
        }

        if (!Uri.TryCreate(options.ApiBase, UriKind.Absolute, out var apiBase) || apiBase.Scheme is not ("https" or "http"))
        {
            throw new ControlPlaneConfigurationException(BillingOptions.Section + ":ApiBase", $"'{options.ApiBase}' is not an http(s) URL");
        }

        if (options.TimeoutSeconds is < 1 or > 120)
        {
            throw new ControlPlaneConfigurationException(BillingOptions.Section + ":TimeoutSeconds", "must be between 1 and 120");
        }

        // A claim URL travels by browser and email; a long life is a long window for a leaked one.
        if (options.ClaimTtlHours is < 1 or > 720)
        {
            throw new ControlPlaneConfigurationException(BillingOptions.Section + ":ClaimTtlHours", "must be between 1 and 720");
        }

        if (options.SuspendAfterHours is < 0 or > 720)
        {
            throw new ControlPlaneConfigurationException(BillingOptions.Section + ":SuspendAfterHours", "must be between 0 and 720");
        }

        if (options.SuspensionCheckSeconds is < 1 or > 3_600)
        {
            throw new ControlPlaneConfigurationException(BillingOptions.Section + ":SuspensionCheckSeconds", "must be between 1 and 3600");
        }

        if (options.MeterExportSeconds is < 1 or > 86_400)
        {
            throw new ControlPlaneConfigurationException(BillingOptions.Section + ":MeterExportSeconds", "must be between 1 and 86400");
        }

        if (string.IsNullOrEmpty(options.OverageMeterEvent) || options.OverageMeterEvent.Length > 100 || options.OverageMeterEvent.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            throw new ControlPlaneConfigurationException(BillingOptions.Section + ":OverageMeterEvent", "must be 1-100 printable ASCII characters without spaces (a Stripe meter's event_name)");
        }

        return options;
    }
}
