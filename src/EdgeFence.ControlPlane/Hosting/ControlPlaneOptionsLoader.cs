using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Hosting;

/// <summary>Binds and checks the configuration before anything starts; every problem names its key.</summary>
internal static partial class ControlPlaneOptionsLoader
{
    /// <summary>
    /// Shortest admin or edge key. The API does not slow down wrong guesses, so the key's entropy is the only
    /// defence against online guessing: 32 random characters put it out of reach.
    /// </summary>
    public const int MinKeyLength = 32;

    public static ControlPlaneOptions Load(IConfiguration configuration)
    {
        var options = new ControlPlaneOptions();
        try
        {
            configuration.GetSection(ControlPlaneOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            var at = BinderMessage().Match(ex.Message);
            throw at.Success
                ? new ControlPlaneConfigurationException(at.Groups["key"].Value, $"'{at.Groups["value"].Value}' is not a valid {at.Groups["type"].Value.Replace("System.", "", StringComparison.Ordinal)}")
                : new ControlPlaneConfigurationException(ControlPlaneOptions.Section, ex.Message);
        }

        if (SplitList(options.Urls).Length == 0)
        {
            throw new ControlPlaneConfigurationException("ControlPlane:Urls", "needs at least one URL");
        }

        if (string.IsNullOrWhiteSpace(options.Database))
        {
            throw new ControlPlaneConfigurationException("ControlPlane:Database", "must be a file path");
        }

        CheckKey("ControlPlane:AdminKey", options.AdminKey, required: true);
        CheckKey("ControlPlane:EdgeKey", options.EdgeKey, required: false);
        if (options.EdgeKey is not null && options.EdgeKey == options.AdminKey)
        {
            // The edge key sits on every edge; if it were the admin key, one compromised edge would own the API.
            throw new ControlPlaneConfigurationException("ControlPlane:EdgeKey", "must differ from ControlPlane:AdminKey");
        }

        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            throw new ControlPlaneConfigurationException("ControlPlane:SigningKey", "must be a file path");
        }

        ParseEdges(options.Edges);
        ParseRedis(options.Redis);
        if (options.AlertIntervalSeconds is < 1 or > 3600)
        {
            throw new ControlPlaneConfigurationException("ControlPlane:AlertIntervalSeconds", "must be between 1 and 3600");
        }

        if (options.WebhookRetrySeconds is < 1 or > 3600)
        {
            throw new ControlPlaneConfigurationException("ControlPlane:WebhookRetrySeconds", "must be between 1 and 3600");
        }

        if (options.LowBalanceMicros < 0)
        {
            throw new ControlPlaneConfigurationException("ControlPlane:LowBalanceMicros", "must not be negative");
        }

        if (!(options.TrafficSpikeFactor is >= 1.5 and <= 1000))
        {
            throw new ControlPlaneConfigurationException("ControlPlane:TrafficSpikeFactor", "must be between 1.5 and 1000");
        }

        if (options.TrafficSpikeMinRequests is < 1 or > 1_000_000_000)
        {
            throw new ControlPlaneConfigurationException("ControlPlane:TrafficSpikeMinRequests", "must be between 1 and 1000000000");
        }

        if (options.PushRetryMaxSeconds is < 1 or > 3600)
        {
            throw new ControlPlaneConfigurationException("ControlPlane:PushRetryMaxSeconds", "must be between 1 and 3600");
        }

        if (options.PushWaitMilliseconds is < 0 or > 60_000)
        {
            throw new ControlPlaneConfigurationException("ControlPlane:PushWaitMilliseconds", "must be between 0 and 60000");
        }

        if (options.StatsSource is not ("rollups" or "stream"))
        {
            throw new ControlPlaneConfigurationException("ControlPlane:StatsSource", "must be 'rollups' or 'stream'");
        }

        if (options.LogFormat is not ("text" or "json"))
        {
            throw new ControlPlaneConfigurationException("ControlPlane:LogFormat", "must be 'text' or 'json'");
        }

        return options;
    }

    /// <summary>The edge admin URLs, each an absolute http(s) base URL.</summary>
    public static IReadOnlyList<Uri> ParseEdges(string? edges)
    {
        var result = new List<Uri>();
        foreach (var text in SplitList(edges))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new ControlPlaneConfigurationException("ControlPlane:Edges", $"'{text}' is not an http(s) URL of an edge's admin listener");
            }

            if (result.Contains(uri))
            {
                throw new ControlPlaneConfigurationException("ControlPlane:Edges", $"'{text}' is listed twice");
            }

            result.Add(uri);
        }

        return result;
    }

    /// <summary>The Redis connection (<c>AbortOnConnectFail</c> off: a Redis down at start is retried, not fatal); null if not set.</summary>
    public static ConfigurationOptions? ParseRedis(string? redis)
    {
        if (string.IsNullOrWhiteSpace(redis))
        {
            return null;
        }

        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(redis);
        }
        catch (ArgumentException ex)
        {
            throw new ControlPlaneConfigurationException("ControlPlane:Redis", $"not a StackExchange.Redis connection string ({ex.Message})");
        }

        if (parsed.EndPoints.Count == 0)
        {
            throw new ControlPlaneConfigurationException("ControlPlane:Redis", "names no Redis endpoint (host:port)");
        }

        parsed.AbortOnConnectFail = false;
        return parsed;
    }

    public static string[] SplitList(string? value) => (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void CheckKey(string key, string? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                throw new ControlPlaneConfigurationException(key, $"required: a random key of at least {MinKeyLength} characters (for example `openssl rand -hex 32`)");
            }

            return;
        }

        if (value.Length < MinKeyLength || value.Length > 1024 || value.Any(c => c < '!' || c > '~'))
        {
            throw new ControlPlaneConfigurationException(key, $"must be {MinKeyLength}-1024 visible ASCII characters");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("value '(?<value>[^']*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex BinderMessage();
}
