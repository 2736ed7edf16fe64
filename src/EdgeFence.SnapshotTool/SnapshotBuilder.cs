using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeFence.Core.Model;
using EdgeFence.SnapshotTool.JsonModel;

namespace EdgeFence.SnapshotTool;

/// <summary>
/// Maps the operator's JSON to a <see cref="Snapshot"/>. It checks what the JSON alone can get wrong
/// (missing fields, unknown enum names, token versus tokenHash); whether the snapshot makes sense as a whole
/// is for the edge's validation, which runs on every snapshot whoever built it.
/// </summary>
internal static class SnapshotBuilder
{
    public static Snapshot FromJson(string json, long createdAtUnixMs)
        => Build(Parse(json, SnapshotConfigContext.Default.SnapshotConfig) ?? throw Fail("$", "expected an object, found null"), createdAtUnixMs);

    /// <summary>A wallet book from <c>{"version", "wallets": [{"siteId","customer","currency","creditedMicros"}]}</c>.</summary>
    public static WalletBook WalletsFromJson(string json, long createdAtUnixMs)
    {
        var config = Parse(json, SnapshotConfigContext.Default.WalletBookConfig) ?? throw Fail("$", "expected an object, found null");
        long version = config.Version ?? throw Fail("version", "required");
        return new WalletBook
        {
            Version = version >= 1 ? version : throw Fail("version", "must be 1 or more"),
            CreatedAtUnixMs = createdAtUnixMs,
            Wallets = Map(config.Wallets, "wallets", (w, path) => new WalletRecord(
                Required(w.SiteId, path + ".siteId"),
                Required(w.Customer, path + ".customer"),
                Required(w.Currency, path + ".currency").ToUpperInvariant(),
                NotNegative(w.CreditedMicros, path + ".creditedMicros"))),
        };
    }

    /// <summary>A delta from a <see cref="DeltaConfig"/>'s JSON.</summary>
    public static SnapshotDelta DeltaFromJson(string json, long createdAtUnixMs)
    {
        var config = Parse(json, SnapshotConfigContext.Default.DeltaConfig) ?? throw Fail("$", "expected an object, found null");
        var removed = new List<byte[]>();
        foreach (var token in Strings(config.RemovedTokens, "removedTokens"))
        {
            removed.Add(HashToken(token));
        }

        var hashes = Strings(config.RemovedTokenHashes, "removedTokenHashes");
        for (int i = 0; i < hashes.Length; i++)
        {
            removed.Add(ParseHash(hashes[i], string.Create(CultureInfo.InvariantCulture, $"removedTokenHashes[{i}]")));
        }

        return new SnapshotDelta
        {
            Version = config.Version ?? throw Fail("version", "required"),
            BaseVersion = config.BaseVersion ?? throw Fail("baseVersion", "required"),
            BaseStateHash = ParseHash(Required(config.BaseStateHash, "baseStateHash"), "baseStateHash"),
            CreatedAtUnixMs = createdAtUnixMs,
            Tokens = Map(config.Tokens, "tokens", BuildToken),
            RemovedTokenHashes = removed,
        };
    }

    private static T? Parse<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            // Most messages end with the path; the unknown-member one does not, and the path is what an
            // operator needs to find the typo.
            string message = e.Message.ReplaceLineEndings(" ");
            if (e.Path is not null && !message.Contains("Path:", StringComparison.Ordinal))
            {
                message += " Path: " + e.Path;
            }

            throw new ToolInputException("invalid JSON: " + message);
        }
    }

    public static Snapshot Build(SnapshotConfig config, long createdAtUnixMs)
    {
        long version = config.Version ?? throw Fail("version", "required");
        if (version < 1)
        {
            throw Fail("version", "must be 1 or more");
        }

        return new Snapshot
        {
            Version = version,
            CreatedAtUnixMs = createdAtUnixMs,
            Sites = Map(config.Sites, "sites", BuildSite),
            Plans = Map(config.Plans, "plans", BuildPlan),
            Resources = Map(config.Resources, "resources", BuildResource),
            Tokens = Map(config.Tokens, "tokens", BuildToken),
        };
    }

    /// <summary>SHA-256 of the token's UTF-8 bytes: the only form in which a token leaves this tool.</summary>
    public static byte[] HashToken(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static Site BuildSite(SiteConfig site, string path) => new()
    {
        Id = Required(site.Id, path + ".id"),
        Name = Required(site.Name, path + ".name"),
        Slug = Required(site.Slug, path + ".slug"),
        OriginUrl = Required(site.OriginUrl, path + ".originUrl"),
        Hosts = Strings(site.Hosts, path + ".hosts"),
        HmacSecret = Encoding.UTF8.GetBytes(Required(site.HmacSecret, path + ".hmacSecret")),
        OriginKeyHash = site.OriginKey is null ? [] : SHA256.HashData(Encoding.UTF8.GetBytes(Required(site.OriginKey, path + ".originKey"))),
        StaticHeaders = NameValues(site.StaticHeaders, path + ".staticHeaders"),
        StaticQuery = NameValues(site.StaticQuery, path + ".staticQuery"),
        DenyByDefault = site.DenyByDefault,
        TopUpUrl = site.TopUpUrl,
        X402 = site.X402 is { } x402 ? BuildX402(x402, path + ".x402") : null,
        McpFilterTools = site.McpFilterTools,
    };

    private static X402Settings BuildX402(X402Config x402, string path) => new()
    {
        FacilitatorUrl = Required(x402.FacilitatorUrl, path + ".facilitatorUrl"),
        Network = Required(x402.Network, path + ".network"),
        Asset = Required(x402.Asset, path + ".asset"),
        PayTo = Required(x402.PayTo, path + ".payTo"),
        AssetName = Required(x402.AssetName, path + ".assetName"),
        AssetVersion = Required(x402.AssetVersion, path + ".assetVersion"),
        AssetDecimals = x402.AssetDecimals ?? 6,
        Currency = x402.Currency ?? "USD",
        MaxTimeoutSeconds = x402.MaxTimeoutSeconds ?? 60,
    };

    private static Plan BuildPlan(PlanConfig plan, string path)
    {
        QuotaConfig? quota = plan.Quota;
        RateLimitConfig? rateLimit = plan.RateLimit;
        return new Plan
        {
            Id = Required(plan.Id, path + ".id"),
            SiteId = Required(plan.SiteId, path + ".siteId"),
            Name = Required(plan.Name, path + ".name"),
            QuotaUnits = quota is null ? null : NotNegative(quota.Units, path + ".quota.units"),
            QuotaPeriod = quota is null ? QuotaPeriod.Month : ParsePeriod(quota.Period, path + ".quota.period"),
            QuotaMode = quota?.Mode is null ? QuotaMode.Hard : ParseMode(quota.Mode, path + ".quota.mode"),
            RateLimitRequests = rateLimit is null ? null : Positive(rateLimit.Requests, path + ".rateLimit.requests"),
            RateLimitWindowSeconds = rateLimit is null ? 60 : Positive(rateLimit.WindowSeconds, path + ".rateLimit.windowSeconds"),
            PriceMicros = plan.PriceMicros >= 0 ? plan.PriceMicros : throw Fail(path + ".priceMicros", "must not be negative"),
            Currency = plan.Currency is null ? "USD" : Required(plan.Currency, path + ".currency").ToUpperInvariant(),
            ResourceIds = Strings(plan.ResourceIds, path + ".resourceIds"),
            Billing = plan.Billing?.ToUpperInvariant() switch
            {
                null or "SUBSCRIPTION" => PlanBilling.Subscription,
                "PREPAID" => PlanBilling.Prepaid,
                _ => throw Fail(path + ".billing", $"'{plan.Billing}' is not 'subscription' or 'prepaid'"),
            },
            ResourcePrices = plan.ResourcePrices is null ? [] : [.. plan.ResourcePrices.Select(p => new ResourcePrice(p.Key, p.Value))],
        };
    }

    private static Resource BuildResource(ResourceConfig resource, string path)
    {
        string[] methods = Strings(resource.Methods, path + ".methods");
        for (int i = 0; i < methods.Length; i++)
        {
            // The edge compares methods ordinally against the request's upper-case method.
            methods[i] = methods[i].ToUpperInvariant();
        }

        return new Resource
        {
            Id = Required(resource.Id, path + ".id"),
            SiteId = Required(resource.SiteId, path + ".siteId"),
            Pattern = Required(resource.Pattern, path + ".pattern"),
            Methods = methods,
            Cost = resource.Cost is null ? 1 : NotNegative(resource.Cost, path + ".cost"),
            PrivatePath = resource.PrivatePath is null ? null : Required(resource.PrivatePath, path + ".privatePath"),
            PriceMicros = resource.PriceMicros,
            Currency = resource.Currency?.ToUpperInvariant() ?? "USD",
            Payment = resource.Payment?.ToUpperInvariant() switch
            {
                null or "TOKEN" => ResourcePayment.Token,
                "X402" => ResourcePayment.X402,
                "TOKEN-OR-X402" => ResourcePayment.TokenOrX402,
                _ => throw Fail(path + ".payment", $"'{resource.Payment}' is not 'token', 'x402' or 'token-or-x402'"),
            },
            Kind = resource.Kind?.ToUpperInvariant() switch
            {
                null or "HTTP" => ResourceKind.Http,
                "MCP" => ResourceKind.Mcp,
                _ => throw Fail(path + ".kind", $"'{resource.Kind}' is not 'http' or 'mcp'"),
            },
            McpTool = resource.McpTool,
        };
    }

    private static TokenRecord BuildToken(TokenConfig token, string path)
    {
        if ((token.Token is null) == (token.TokenHash is null))
        {
            throw Fail(path, "give exactly one of token or tokenHash");
        }

        byte[] hash = token.Token is not null
            ? HashToken(token.Token.Length > 0 ? token.Token : throw Fail(path + ".token", "must not be empty"))
            : ParseHash(token.TokenHash!, path + ".tokenHash");

        return new TokenRecord
        {
            Id = Required(token.Id, path + ".id"),
            SiteId = Required(token.SiteId, path + ".siteId"),
            PlanId = Required(token.PlanId, path + ".planId"),
            Customer = Required(token.Customer, path + ".customer"),
            Hash = hash,
            ExpiresAtUnix = token.ExpiresAtUnix >= 0 ? token.ExpiresAtUnix : throw Fail(path + ".expiresAtUnix", "must not be negative (0 means never)"),
            Revoked = token.Revoked,
        };
    }

    private static byte[] ParseHash(string hex, string path)
    {
        if (hex.Length != 64)
        {
            throw Fail(path, $"expected 64 hex digits (SHA-256), found {hex.Length} characters");
        }

        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw Fail(path, "expected 64 hex digits (SHA-256), found a non-hex character");
        }
    }

    private static QuotaPeriod ParsePeriod(string? period, string path) => period?.ToUpperInvariant() switch
    {
        "HOUR" => QuotaPeriod.Hour,
        "DAY" => QuotaPeriod.Day,
        "WEEK" => QuotaPeriod.Week,
        "MONTH" => QuotaPeriod.Month,
        "YEAR" => QuotaPeriod.Year,
        null => throw Fail(path, "required: hour, day, week, month or year"),
        _ => throw Fail(path, $"'{period}' is not one of hour, day, week, month, year"),
    };

    private static QuotaMode ParseMode(string mode, string path) => mode.ToUpperInvariant() switch
    {
        "HARD" => QuotaMode.Hard,
        "SOFT" => QuotaMode.Soft,
        _ => throw Fail(path, $"'{mode}' is not one of hard, soft"),
    };

    private static TOut[] Map<TIn, TOut>(List<TIn?>? items, string field, Func<TIn, string, TOut> build)
        where TIn : class
    {
        if (items is null)
        {
            return [];
        }

        var result = new TOut[items.Count];
        for (int i = 0; i < result.Length; i++)
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]");
            result[i] = build(items[i] ?? throw Fail(path, "expected an object, found null"), path);
        }

        return result;
    }

    private static string[] Strings(List<string?>? items, string field)
    {
        if (items is null)
        {
            return [];
        }

        var result = new string[items.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Required(items[i], string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]"));
        }

        return result;
    }

    private static NameValue[] NameValues(Dictionary<string, string?>? items, string field)
    {
        if (items is null)
        {
            return [];
        }

        // Document order, which System.Text.Json keeps as the dictionary's insertion order.
        var result = new NameValue[items.Count];
        int i = 0;
        foreach ((string name, string? value) in items)
        {
            string path = $"{field}.{name}";
            result[i++] = new NameValue(Required(name, field + ": a name"), value ?? throw Fail(path, "expected a string, found null"));
        }

        return result;
    }

    private static string Required(string? value, string path) =>
        string.IsNullOrWhiteSpace(value) ? throw Fail(path, "required, must not be empty") : value;

    private static long NotNegative(long? value, string path) => value switch
    {
        null => throw Fail(path, "required"),
        < 0 => throw Fail(path, "must not be negative"),
        _ => value.Value,
    };

    private static int Positive(int? value, string path) => value switch
    {
        null => throw Fail(path, "required"),
        <= 0 => throw Fail(path, "must be 1 or more"),
        _ => value.Value,
    };

    private static ToolInputException Fail(string path, string problem) => new($"{path}: {problem}");
}
