using System.Security.Cryptography;
using EdgeFence.Core.Security;
using Microsoft.Extensions.Configuration;

namespace EdgeFence.Edge.Hosting;

/// <summary>Binds and checks the configuration before anything starts; every problem names its key.</summary>
internal static partial class EdgeOptionsValidator
{
    public static EdgeOptions Load(IConfiguration configuration)
    {
        var options = new EdgeOptions();
        try
        {
            configuration.GetSection(EdgeOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the type: "… value 'x' at 'EdgeFence:Y' to type 'System.Int32'."
            var at = BinderMessage().Match(ex.Message);
            throw at.Success
                ? new EdgeConfigurationException(at.Groups["key"].Value, $"'{at.Groups["value"].Value}' is not a valid {at.Groups["type"].Value.Replace("System.", "", StringComparison.Ordinal)}")
                : new EdgeConfigurationException(EdgeOptions.Section, ex.Message);
        }

        var publicUrls = ParseUrls("EdgeFence:Urls", options.Urls);
        var adminUrls = ParseUrls("EdgeFence:AdminUrls", options.AdminUrls);
        foreach (var url in adminUrls)
        {
            foreach (var pub in publicUrls)
            {
                if (url.Port != 0 && url.Port == pub.Port && (url.Host == pub.Host || url.Host is "0.0.0.0" or "*" or "[::]" || pub.Host is "0.0.0.0" or "*" or "[::]"))
                {
                    throw new EdgeConfigurationException("EdgeFence:AdminUrls", $"'{url}' overlaps the public listener '{pub}'; the admin listener must never be exposed on the public one");
                }
            }
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            throw new EdgeConfigurationException("EdgeFence:DataDir", "must be a directory path");
        }

        try
        {
            Directory.CreateDirectory(options.DataDir);
            var probe = Path.Combine(options.DataDir, ".write-probe");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EdgeConfigurationException("EdgeFence:DataDir", $"'{options.DataDir}' is not a writable directory ({ex.Message})");
        }

        if (!string.IsNullOrWhiteSpace(options.Redis))
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(options.Redis);
            }
            catch (ArgumentException ex)
            {
                throw new EdgeConfigurationException("EdgeFence:Redis", $"not a Redis connection string ({ex.Message})");
            }
        }

        if (options.AnalyticsFlushSeconds is < 1 or > 3600)
        {
            throw new EdgeConfigurationException("EdgeFence:AnalyticsFlushSeconds", "must be between 1 and 3600");
        }

        if (options.AnalyticsSpoolMaxMiB is < 1 or > 65_536)
        {
            throw new EdgeConfigurationException("EdgeFence:AnalyticsSpoolMaxMiB", "must be between 1 and 65536");
        }

        if (options.SyncIntervalMs is < 5 or > 60_000)
        {
            throw new EdgeConfigurationException("EdgeFence:SyncIntervalMs", "must be between 5 and 60000");
        }

        if (options.MaxOverAdmission is < 0 or > 1_000_000_000)
        {
            throw new EdgeConfigurationException("EdgeFence:MaxOverAdmission", "must be between 0 and 1000000000");
        }

        if (options.EdgeCount is < 1 or > 10_000)
        {
            throw new EdgeConfigurationException("EdgeFence:EdgeCount", "must be between 1 and 10000");
        }

        if (options.MaxBalanceOverspendMicros is < 0 or > Core.Model.Currency.MaxAmountMicros)
        {
            throw new EdgeConfigurationException("EdgeFence:MaxBalanceOverspendMicros", "must be between 0 and 1000000000000000");
        }

        if (options.MaxBalanceLeaseMicros is < 1 or > Core.Model.Currency.MaxAmountMicros)
        {
            throw new EdgeConfigurationException("EdgeFence:MaxBalanceLeaseMicros", "must be between 1 and 1000000000000000");
        }

        if (options.MaxLeaseSlice is < 1 or > 1_000_000_000)
        {
            throw new EdgeConfigurationException("EdgeFence:MaxLeaseSlice", "must be between 1 and 1000000000");
        }

        if (options.ChannelPollMs is < 10 or > 250)
        {
            // Below 10 ms the polls cost Redis more than they buy; above 250 ms revocations miss the 1 s promise.
            throw new EdgeConfigurationException("EdgeFence:ChannelPollMs", "must be between 10 and 250");
        }

        if (string.IsNullOrWhiteSpace(options.ChannelStream))
        {
            throw new EdgeConfigurationException("EdgeFence:ChannelStream", "must not be empty");
        }

        if (options.MaxConfigAgeSeconds is < 0 or > 30 * 86_400)
        {
            throw new EdgeConfigurationException("EdgeFence:MaxConfigAgeSeconds", "must be between 0 (off) and 2592000");
        }

        if (options.StaleConfigPolicy is not ("serve" or "refuse"))
        {
            throw new EdgeConfigurationException("EdgeFence:StaleConfigPolicy", "must be 'serve' or 'refuse'");
        }

        if (options.LeaseTimeoutMs is < 1 or > 10_000)
        {
            throw new EdgeConfigurationException("EdgeFence:LeaseTimeoutMs", "must be between 1 and 10000");
        }

        // A facilitator that hangs holds the paying client's connection for this long: bounded, so a slow or
        // hostile facilitator cannot pile up waiting requests for minutes.
        if (options.X402VerifyTimeoutMs is < 100 or > 60_000)
        {
            throw new EdgeConfigurationException("EdgeFence:X402VerifyTimeoutMs", "must be between 100 and 60000");
        }

        if (options.X402SettleTimeoutMs is < 100 or > 300_000)
        {
            throw new EdgeConfigurationException("EdgeFence:X402SettleTimeoutMs", "must be between 100 and 300000");
        }

        // The replay guard lives in memory: its size is what a flood of distinct valid payments can make the edge hold.
        if (options.X402ReplayGuardEntries is < 1_000 or > 10_000_000)
        {
            throw new EdgeConfigurationException("EdgeFence:X402ReplayGuardEntries", "must be between 1000 and 10000000");
        }

        if (options.CheckpointIntervalSeconds is < 1 or > 3600)
        {
            throw new EdgeConfigurationException("EdgeFence:CheckpointIntervalSeconds", "must be between 1 and 3600");
        }

        if (options.OriginTimeoutSeconds is < 1 or > 3600)
        {
            throw new EdgeConfigurationException("EdgeFence:OriginTimeoutSeconds", "must be between 1 and 3600");
        }

        if (options.Upstream is not ("pipelines" or "yarp"))
        {
            throw new EdgeConfigurationException("EdgeFence:Upstream", "must be 'pipelines' or 'yarp'");
        }

        if (options.MaxSnapshotMiB is < 1 or > 4096)
        {
            throw new EdgeConfigurationException("EdgeFence:MaxSnapshotMiB", "must be between 1 and 4096");
        }

        if (options.ExpectedEntitlements is < 1 or > 100_000_000)
        {
            throw new EdgeConfigurationException("EdgeFence:ExpectedEntitlements", "must be between 1 and 100000000");
        }

        if (options.DecisionLogCapacity is < 1 or > 10_000_000)
        {
            throw new EdgeConfigurationException("EdgeFence:DecisionLogCapacity", "must be between 1 and 10000000");
        }

        if (options.LogFormat is not ("text" or "json"))
        {
            throw new EdgeConfigurationException("EdgeFence:LogFormat", "must be 'text' or 'json'");
        }

        if (options.NodeId is { } nodeId && (nodeId.Length is 0 or > 64 || !nodeId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new EdgeConfigurationException("EdgeFence:NodeId", "must be 1-64 letters, digits, '-', '_' or '.'");
        }

        return options;
    }

    public static ECDsa? LoadPublicKey(EdgeOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.SnapshotPublicKey))
        {
            return null;
        }

        string pem;
        try
        {
            pem = File.ReadAllText(options.SnapshotPublicKey);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EdgeConfigurationException("EdgeFence:SnapshotPublicKey", $"cannot read '{options.SnapshotPublicKey}' ({ex.Message})");
        }

        try
        {
            return SnapshotSigner.LoadPublicKeyPem(pem);
        }
        catch (ArgumentException ex)
        {
            throw new EdgeConfigurationException("EdgeFence:SnapshotPublicKey", $"'{options.SnapshotPublicKey}': {ex.Message}");
        }
    }

    public static string[] SplitUrls(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static List<Uri> ParseUrls(string key, string? value)
    {
        var result = new List<Uri>();
        foreach (var text in SplitUrls(value ?? ""))
        {
            var normalized = text.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
            {
                throw new EdgeConfigurationException(key, $"'{text}' is not an http://host:port URL (TLS terminates in front of the edge in this build)");
            }

            result.Add(uri);
        }

        if (result.Count == 0)
        {
            throw new EdgeConfigurationException(key, "needs at least one URL");
        }

        return result;
    }

    [System.Text.RegularExpressions.GeneratedRegex("value '(?<value>[^']*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex BinderMessage();
}
