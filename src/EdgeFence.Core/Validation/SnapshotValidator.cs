using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using EdgeFence.Core.Model;
using EdgeFence.Core.Paths;

namespace EdgeFence.Core.Validation;

/// <summary>
/// Validates a snapshot whole before anything uses it: every reference resolves, every value is in
/// range, every pattern parses. Errors name the field (<c>tokens[3].planId</c>) so the control plane
/// operator can fix the source. An edge never swaps in a snapshot with any error.
/// </summary>
public static partial class SnapshotValidator
{
    /// <summary>Minimum HMAC key length: a shorter key weakens the origin's only proof of provenance.</summary>
    public const int MinHmacSecretLength = 32;

    /// <summary>Longest id, name or customer: they travel in headers and logs; bounded to keep both small.</summary>
    public const int MaxIdentifierLength = 256;

    private static readonly HashSet<string> ReservedSlugs = new(StringComparer.Ordinal) { "v1", "healthz", "readyz", "metrics" };

    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
    };

    /// <summary>Returns every problem found; an empty list means the snapshot is valid.</summary>
    public static IReadOnlyList<string> Validate(Snapshot snapshot)
    {
        var errors = new List<string>();
        if (snapshot.Version <= 0)
        {
            errors.Add("version: must be positive");
        }

        var sites = new Dictionary<string, Site>(StringComparer.Ordinal);
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < snapshot.Sites.Count; i++)
        {
            var site = snapshot.Sites[i];
            var at = $"sites[{i}]";
            if (CheckIdentifier(errors, at + ".id", site.Id) && !sites.TryAdd(site.Id, site))
            {
                errors.Add($"{at}.id: duplicate site id '{site.Id}'");
            }

            CheckText(errors, at + ".name", site.Name);
            if (site.Slug is null || !SlugPattern().IsMatch(site.Slug))
            {
                errors.Add($"{at}.slug: must be 1-63 lower-case letters, digits or '-', starting with a letter or digit");
            }
            else if (ReservedSlugs.Contains(site.Slug))
            {
                errors.Add($"{at}.slug: '{site.Slug}' is reserved by the edge");
            }
            else if (!slugs.Add(site.Slug))
            {
                errors.Add($"{at}.slug: duplicate slug '{site.Slug}'");
            }

            if (!Uri.TryCreate(site.OriginUrl, UriKind.Absolute, out var origin)
                || (origin.Scheme != Uri.UriSchemeHttp && origin.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(origin.Query) || !string.IsNullOrEmpty(origin.Fragment) || !string.IsNullOrEmpty(origin.UserInfo))
            {
                errors.Add($"{at}.originUrl: must be an absolute http(s) URL without query, fragment or credentials");
            }

            for (var h = 0; h < site.Hosts.Count; h++)
            {
                var host = site.Hosts[h];
                if (host is null || Uri.CheckHostName(host) == UriHostNameType.Unknown || host.Contains(':', StringComparison.Ordinal))
                {
                    errors.Add($"{at}.hosts[{h}]: '{host}' is not a host name (no scheme, no port)");
                }
                else if (!hosts.Add(host))
                {
                    errors.Add($"{at}.hosts[{h}]: host '{host}' belongs to another site");
                }
            }

            if (site.HmacSecret is null || site.HmacSecret.Length < MinHmacSecretLength)
            {
                errors.Add($"{at}.hmacSecret: must be at least {MinHmacSecretLength} bytes");
            }

            if (site.OriginKeyHash is null || (site.OriginKeyHash.Length != 0 && site.OriginKeyHash.Length != 32))
            {
                errors.Add($"{at}.originKeyHash: must be empty or a 32-byte SHA-256");
            }

            CheckInjected(errors, at + ".staticHeaders", site.StaticHeaders, isHeader: true);
            CheckInjected(errors, at + ".staticQuery", site.StaticQuery, isHeader: false);
            if (site.TopUpUrl is not null && !IsHttpUrl(site.TopUpUrl.Replace("{customer}", "c", StringComparison.Ordinal)))
            {
                errors.Add($"{at}.topUpUrl: must be an absolute http(s) URL of at most {MaxUrlLength} characters ('{{customer}}' is replaced by the customer id)");
            }

            if (site.X402 is { } x402)
            {
                CheckX402(errors, at + ".x402", x402);
            }
        }

        var plans = new Dictionary<string, Plan>(StringComparer.Ordinal);
        for (var i = 0; i < snapshot.Plans.Count; i++)
        {
            var plan = snapshot.Plans[i];
            var at = $"plans[{i}]";
            if (CheckIdentifier(errors, at + ".id", plan.Id) && !plans.TryAdd(plan.Id, plan))
            {
                errors.Add($"{at}.id: duplicate plan id '{plan.Id}'");
            }

            if (plan.SiteId is null || !sites.ContainsKey(plan.SiteId))
            {
                errors.Add($"{at}.siteId: unknown site '{plan.SiteId}'");
            }

            CheckText(errors, at + ".name", plan.Name);
            if (plan.QuotaUnits is < 0)
            {
                errors.Add($"{at}.quotaUnits: must not be negative");
            }

            if (!Enum.IsDefined(plan.QuotaPeriod))
            {
                errors.Add($"{at}.quotaPeriod: unknown period");
            }

            if (!Enum.IsDefined(plan.QuotaMode))
            {
                errors.Add($"{at}.quotaMode: unknown mode");
            }

            if (plan.RateLimitRequests is <= 0)
            {
                errors.Add($"{at}.rateLimitRequests: must be positive (omit it for no rate limit)");
            }

            // One day at most: the sliding window keeps two fixed windows per token; quotas cover longer spans.
            if (plan.RateLimitWindowSeconds is <= 0 or > 86_400)
            {
                errors.Add($"{at}.rateLimitWindowSeconds: must be between 1 and 86400");
            }

            if (plan.PriceMicros is < 0 or > Currency.MaxAmountMicros)
            {
                errors.Add($"{at}.priceMicros: {PriceRule}");
            }

            if (!Currency.IsKnown(plan.Currency))
            {
                errors.Add($"{at}.currency: {CurrencyRule}");
            }

            if (!Enum.IsDefined(plan.Billing))
            {
                errors.Add($"{at}.billing: unknown billing");
            }
        }

        var resources = new Dictionary<string, Resource>(StringComparer.Ordinal);
        var patternMethods = new Dictionary<(string Site, string Pattern), HashSet<string>?>();
        var mcpEndpoints = new Dictionary<(string Site, string Pattern), Resource>();
        var mcpTools = new List<(int Index, Resource Tool, string Pattern)>();
        for (var i = 0; i < snapshot.Resources.Count; i++)
        {
            var resource = snapshot.Resources[i];
            var at = $"resources[{i}]";
            if (CheckIdentifier(errors, at + ".id", resource.Id) && !resources.TryAdd(resource.Id, resource))
            {
                errors.Add($"{at}.id: duplicate resource id '{resource.Id}'");
            }

            if (resource.SiteId is null || !sites.ContainsKey(resource.SiteId))
            {
                errors.Add($"{at}.siteId: unknown site '{resource.SiteId}'");
            }

            if (resource.Cost < 0)
            {
                errors.Add($"{at}.cost: must not be negative");
            }

            if (resource.PriceMicros is < 0 or > Currency.MaxAmountMicros)
            {
                errors.Add($"{at}.priceMicros: {PriceRule}");
            }

            if (!Currency.IsKnown(resource.Currency))
            {
                errors.Add($"{at}.currency: {CurrencyRule}");
            }

            if (!Enum.IsDefined(resource.Payment))
            {
                errors.Add($"{at}.payment: unknown payment");
            }
            else if (resource.Payment != ResourcePayment.Token && resource.SiteId is not null && sites.TryGetValue(resource.SiteId, out var owner))
            {
                // x402 pays the resource's own price in the site's asset: it must exist and convert exactly.
                if (owner.X402 is not { } x402)
                {
                    errors.Add($"{at}.payment: x402 needs the site's x402 settings");
                }
                else if (resource.Currency != x402.Currency)
                {
                    errors.Add($"{at}.currency: x402 pays in {x402.Currency}, the resource is priced in {resource.Currency}");
                }
                else if (!x402.TryGetAtomicAmount(resource.PriceMicros, out _))
                {
                    errors.Add($"{at}.priceMicros: x402 needs a positive price that is a whole number of the asset's smallest unit (10^-{x402.AssetDecimals})");
                }
            }

            if (!Enum.IsDefined(resource.Kind))
            {
                errors.Add($"{at}.kind: unknown kind");
            }
            else if (resource.Kind == ResourceKind.Mcp && resource.Methods.Count > 0)
            {
                // Every method reaches an MCP endpoint: POST carries the calls, GET and DELETE the transport's own.
                errors.Add($"{at}.methods: an MCP resource takes every method; leave methods empty");
            }

            OpenAiResourceRules.Check(errors, at, resource);

            if (resource.McpTool is not null)
            {
                if (resource.Kind != ResourceKind.Mcp)
                {
                    errors.Add($"{at}.mcpTool: only an MCP resource names a tool");
                }
                else if (!IsToolName(resource.McpTool))
                {
                    errors.Add($"{at}.mcpTool: {ToolNameRule}");
                }
            }

            var methodsOk = true;
            foreach (var method in resource.Methods)
            {
                if (method is null || !KnownMethods.Contains(method))
                {
                    errors.Add($"{at}.methods: '{method}' is not an upper-case HTTP method");
                    methodsOk = false;
                }
            }

            if (!PathPattern.TryParse(resource.Pattern, out var pattern, out var patternError))
            {
                errors.Add($"{at}.pattern: {patternError}");
                continue;
            }

            if (resource.PrivatePath is not null)
            {
                if (!PathPattern.TryParse(resource.PrivatePath, out var privatePath, out var privateError))
                {
                    errors.Add($"{at}.privatePath: {privateError}");
                }
                else if (privatePath.HasCatchAll != pattern.HasCatchAll || HasInnerWildcard(privatePath))
                {
                    errors.Add($"{at}.privatePath: must be a literal path, ending in '/*' exactly when the pattern does");
                }
            }

            if (resource.Kind == ResourceKind.Mcp && resource.McpTool is not null)
            {
                // A tool shares its endpoint's pattern on purpose: the call's tool name, not the method, tells them apart.
                mcpTools.Add((i, resource, pattern.Canonical));
            }
            else if (resource.Kind == ResourceKind.Mcp && resource.SiteId is not null)
            {
                mcpEndpoints.TryAdd((resource.SiteId, pattern.Canonical), resource);
            }

            if (methodsOk && resource.SiteId is not null && resource.McpTool is null)
            {
                // Two resources may share a pattern only with disjoint methods: otherwise which cost applies is ambiguous.
                var key = (resource.SiteId, pattern.Canonical);
                HashSet<string>? methods = resource.Methods.Count == 0 ? null : new HashSet<string>(resource.Methods, StringComparer.Ordinal);
                if (methods is not null && methods.Contains("GET"))
                {
                    // HEAD is enforced as GET, so a resource with GET also claims HEAD.
                    methods.Add("HEAD");
                }

                if (patternMethods.TryGetValue(key, out var existing))
                {
                    if (existing is null || methods is null || existing.Overlaps(methods))
                    {
                        errors.Add($"{at}.pattern: '{resource.Pattern}' overlaps another resource of the same site with the same methods");
                    }
                    else
                    {
                        existing.UnionWith(methods);
                    }
                }
                else
                {
                    patternMethods[key] = methods;
                }
            }
        }

        CheckMcpTools(errors, mcpEndpoints, mcpTools);

        foreach (var (index, plan) in Indexed(snapshot.Plans))
        {
            foreach (var resourceId in plan.ResourceIds)
            {
                if (resourceId is null || !resources.TryGetValue(resourceId, out var resource))
                {
                    errors.Add($"plans[{index}].resourceIds: unknown resource '{resourceId}'");
                }
                else if (resource.SiteId != plan.SiteId)
                {
                    errors.Add($"plans[{index}].resourceIds: resource '{resourceId}' belongs to another site");
                }
            }
        }

        foreach (var (index, plan) in Indexed(snapshot.Plans))
        {
            CheckPlanPrices(errors, $"plans[{index}]", plan, resources, snapshot.Resources);
        }

        // Per-token checks run a million times for a large snapshot: nothing is allocated unless a
        // check fails, so validation stays a small part of applying one.
        var hashes = new HashSet<TokenHash>(snapshot.Tokens.Count);
        var entitlements = new Dictionary<(string SiteId, string Id), TokenRecord>(snapshot.Tokens.Count);
        for (var i = 0; i < snapshot.Tokens.Count; i++)
        {
            var token = snapshot.Tokens[i];
            if (!IsIdentifier(token.Id))
            {
                errors.Add($"tokens[{i}].id: {IdentifierRule}");
            }

            if (TextProblem(token.Customer) is { } customerProblem)
            {
                errors.Add($"tokens[{i}].customer: {customerProblem}");
            }

            if (token.SiteId is null || !sites.ContainsKey(token.SiteId))
            {
                errors.Add($"tokens[{i}].siteId: unknown site '{token.SiteId}'");
            }

            if (token.PlanId is null || !plans.TryGetValue(token.PlanId, out var plan))
            {
                errors.Add($"tokens[{i}].planId: unknown plan '{token.PlanId}'");
            }
            else if (plan.SiteId != token.SiteId)
            {
                errors.Add($"tokens[{i}].planId: plan '{token.PlanId}' belongs to another site");
            }

            if (token.Hash is null || token.Hash.Length != 32)
            {
                errors.Add($"tokens[{i}].hash: must be a 32-byte SHA-256");
            }
            else if (!hashes.Add(new TokenHash(token.Hash)))
            {
                errors.Add($"tokens[{i}].hash: duplicate token hash");
            }

            if (token.ExpiresAtUnix < 0)
            {
                errors.Add($"tokens[{i}].expiresAtUnix: must not be negative");
            }

            // A token and its rotated successor share the id; they must describe the same entitlement.
            if (token.Id is not null && token.SiteId is not null
                && !entitlements.TryAdd((token.SiteId, token.Id), token))
            {
                var first = entitlements[(token.SiteId, token.Id)];
                if (first.PlanId != token.PlanId || first.Customer != token.Customer)
                {
                    errors.Add($"tokens[{i}].id: token id '{token.Id}' is used by another token with a different plan or customer");
                }
            }
        }

        return errors;
    }

    /// <summary>Longest top-up or facilitator URL: it travels in a Link header.</summary>
    public const int MaxUrlLength = 2048;

    private const string PriceRule = "must be between 0 and 10^15 micro-units";

    private const string CurrencyRule = "must be an upper-case ISO 4217 code (or USDC)";

    /// <summary>
    /// A plan's own prices name resources of its site, once each; a prepaid plan debits balances in its own
    /// currency, so every resource it covers with a price must be priced in that currency.
    /// </summary>
    /// <summary>Longest MCP tool name: the MCP specification's bound (1-128 characters).</summary>
    public const int MaxToolNameLength = 128;

    private static readonly string ToolNameRule = $"must be 1-{MaxToolNameLength} characters of letters, digits, '_', '-', '.' or '/'";

    private static readonly SearchValues<char> ToolNameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./");

    private static bool IsToolName(string value)
        => value.Length is > 0 and <= MaxToolNameLength && !value.AsSpan().ContainsAnyExcept(ToolNameChars);

    /// <summary>Every MCP tool resource belongs to an endpoint with its pattern and private path, once per name.</summary>
    private static void CheckMcpTools(List<string> errors, Dictionary<(string Site, string Pattern), Resource> endpoints, List<(int Index, Resource Tool, string Pattern)> tools)
    {
        var names = new HashSet<(string Site, string Pattern, string Name)>();
        foreach (var (index, tool, pattern) in tools)
        {
            var at = $"resources[{index}]";
            if (tool.SiteId is null || !endpoints.TryGetValue((tool.SiteId, pattern), out var endpoint))
            {
                errors.Add($"{at}.pattern: the MCP tool '{tool.McpTool}' needs an MCP endpoint resource (no mcpTool) with the same pattern");
                continue;
            }

            if (!string.Equals(tool.PrivatePath, endpoint.PrivatePath, StringComparison.Ordinal))
            {
                errors.Add($"{at}.privatePath: an MCP tool is forwarded like its endpoint '{endpoint.Id}'; use the same private path");
            }

            if (!names.Add((tool.SiteId, pattern, tool.McpTool!)))
            {
                errors.Add($"{at}.mcpTool: the tool '{tool.McpTool}' is priced twice on '{tool.Pattern}'");
            }
        }
    }

    private static void CheckPlanPrices(List<string> errors, string at, Plan plan, Dictionary<string, Resource> resources, IReadOnlyList<Resource> all)
    {
        var priced = new HashSet<string>(StringComparer.Ordinal);
        for (var p = 0; p < plan.ResourcePrices.Count; p++)
        {
            var (resourceId, price) = plan.ResourcePrices[p];
            if (resourceId is null || !resources.TryGetValue(resourceId, out var resource) || resource.SiteId != plan.SiteId)
            {
                errors.Add($"{at}.resourcePrices[{p}].resourceId: unknown resource '{resourceId}' of the plan's site");
            }
            else if (!priced.Add(resourceId))
            {
                errors.Add($"{at}.resourcePrices[{p}].resourceId: duplicate '{resourceId}'");
            }

            if (price is < 0 or > Currency.MaxAmountMicros)
            {
                errors.Add($"{at}.resourcePrices[{p}].priceMicros: {PriceRule}");
            }
        }

        if (plan.Billing != PlanBilling.Prepaid)
        {
            return;
        }

        var covered = plan.ResourceIds.Count == 0 ? null : new HashSet<string>(plan.ResourceIds, StringComparer.Ordinal);
        foreach (var resource in all)
        {
            if (resource.SiteId != plan.SiteId || (covered is not null && !covered.Contains(resource.Id)) || resource.Currency == plan.Currency)
            {
                continue;
            }

            var price = resource.PriceMicros;
            foreach (var (resourceId, own) in plan.ResourcePrices)
            {
                if (resourceId == resource.Id)
                {
                    price = own;
                }
            }

            if (price > 0)
            {
                errors.Add($"{at}.currency: the prepaid plan debits {plan.Currency}, resource '{resource.Id}' is priced in {resource.Currency}");
            }
        }
    }

    private static void CheckX402(List<string> errors, string at, X402Settings x402)
    {
        if (!IsHttpUrl(x402.FacilitatorUrl))
        {
            errors.Add($"{at}.facilitatorUrl: must be an absolute http(s) URL of at most {MaxUrlLength} characters");
        }

        if (x402.Network is null || !NetworkPattern().IsMatch(x402.Network))
        {
            errors.Add($"{at}.network: must be a CAIP-2 chain id such as 'eip155:8453'");
        }

        if (x402.Asset is null || !AddressPattern().IsMatch(x402.Asset))
        {
            errors.Add($"{at}.asset: must be a 0x address of 40 hex digits");
        }

        if (x402.PayTo is null || !AddressPattern().IsMatch(x402.PayTo))
        {
            errors.Add($"{at}.payTo: must be a 0x address of 40 hex digits");
        }

        CheckText(errors, at + ".assetName", x402.AssetName);
        CheckText(errors, at + ".assetVersion", x402.AssetVersion);
        if (x402.AssetDecimals is < 0 or > 18)
        {
            errors.Add($"{at}.assetDecimals: must be between 0 and 18");
        }

        if (!Currency.IsKnown(x402.Currency))
        {
            errors.Add($"{at}.currency: {CurrencyRule}");
        }

        // Bounds how long the edge must remember a payment to refuse its replay.
        if (x402.MaxTimeoutSeconds is < 1 or > 3600)
        {
            errors.Add($"{at}.maxTimeoutSeconds: must be between 1 and 3600");
        }
    }

    private static bool IsHttpUrl(string? value)
        => value is not null && value.Length <= MaxUrlLength
            && Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && string.IsNullOrEmpty(uri.UserInfo) && !value.AsSpan().ContainsAnyExceptInRange('!', '~');

    /// <summary>Checks a wallet book whole: identifiers, currencies, amounts, one record per wallet.</summary>
    public static IReadOnlyList<string> Validate(WalletBook book)
    {
        var errors = new List<string>();
        if (book.Version <= 0)
        {
            errors.Add("version: must be positive");
        }

        var seen = new HashSet<(string, string, string)>();
        for (var i = 0; i < book.Wallets.Count; i++)
        {
            var wallet = book.Wallets[i];
            var at = $"wallets[{i}]";
            CheckIdentifier(errors, at + ".siteId", wallet.SiteId);
            CheckText(errors, at + ".customer", wallet.Customer);
            if (!Currency.IsKnown(wallet.Currency))
            {
                errors.Add($"{at}.currency: {CurrencyRule}");
            }

            if (wallet.CreditedMicros < 0)
            {
                errors.Add($"{at}.creditedMicros: must not be negative");
            }

            if (!seen.Add((wallet.SiteId, wallet.Customer, wallet.Currency)))
            {
                errors.Add($"{at}: duplicate wallet of customer '{wallet.Customer}' in {wallet.Currency}");
            }
        }

        return errors;
    }

    private static IEnumerable<(int, T)> Indexed<T>(IReadOnlyList<T> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            yield return (i, items[i]);
        }
    }

    private static bool HasInnerWildcard(PathPattern pattern)
    {
        var last = pattern.Segments.Count - (pattern.HasCatchAll ? 1 : 0);
        for (var i = 0; i < last; i++)
        {
            if (pattern.Segments[i] == "*")
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string IdentifierRule = $"must be 1-{MaxIdentifierLength} characters of letters, digits, '_', '-', '.' or ':'";

    private static readonly SearchValues<char> IdentifierChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-");

    private static bool IsIdentifier([NotNullWhen(true)] string? value)
        => !string.IsNullOrEmpty(value) && value.Length <= MaxIdentifierLength && !value.AsSpan().ContainsAnyExcept(IdentifierChars);

    private static bool CheckIdentifier(List<string> errors, string field, [NotNullWhen(true)] string? value)
    {
        if (IsIdentifier(value))
        {
            return true;
        }

        errors.Add($"{field}: {IdentifierRule}");
        return false;
    }

    /// <summary>Names and customers travel in headers: printable ASCII only, so no header injection and no encoding guesswork.</summary>
    private static void CheckText(List<string> errors, string field, string? value)
    {
        if (TextProblem(value) is { } problem)
        {
            errors.Add($"{field}: {problem}");
        }
    }

    private static string? TextProblem(string? value)
        => string.IsNullOrEmpty(value) || value.Length > MaxIdentifierLength ? $"must be 1-{MaxIdentifierLength} characters"
            : value.AsSpan().ContainsAnyExceptInRange(' ', '~') ? "must be printable ASCII"
            : null;

    /// <summary>A SHA-256 as a value, so a million of them fit in a set without a string each.</summary>
    private readonly record struct TokenHash(ulong A, ulong B, ulong C, ulong D)
    {
        public TokenHash(byte[] hash)
            : this(
                BinaryPrimitives.ReadUInt64LittleEndian(hash),
                BinaryPrimitives.ReadUInt64LittleEndian(hash.AsSpan(8)),
                BinaryPrimitives.ReadUInt64LittleEndian(hash.AsSpan(16)),
                BinaryPrimitives.ReadUInt64LittleEndian(hash.AsSpan(24)))
        {
        }
    }

    private static void CheckInjected(List<string> errors, string field, IReadOnlyList<NameValue> items, bool isHeader)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < items.Count; i++)
        {
            var (name, value) = items[i];
            var at = $"{field}[{i}]";
            if (string.IsNullOrEmpty(name) || !(isHeader ? HeaderNamePattern() : QueryNamePattern()).IsMatch(name))
            {
                errors.Add($"{at}.name: '{name}' is not a valid {(isHeader ? "header" : "query parameter")} name");
                continue;
            }

            if (isHeader && (name.StartsWith("X-EdgeFence-", StringComparison.OrdinalIgnoreCase) || HopByHop.Contains(name)))
            {
                errors.Add($"{at}.name: '{name}' is managed by the edge and cannot be injected");
            }

            if (!names.Add(name))
            {
                errors.Add($"{at}.name: duplicate '{name}'");
            }

            if (value is null || value.Length > 4096 || value.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || value.Contains('\u007f', StringComparison.Ordinal))
            {
                errors.Add($"{at}.value: must be at most 4096 characters without control characters");
            }
        }
    }

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Authorization", "X-Api-Key",
    };

    [GeneratedRegex("^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex NetworkPattern();

    [GeneratedRegex("^0x[0-9a-fA-F]{40}$", RegexOptions.CultureInvariant)]
    private static partial Regex AddressPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_.~-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex QueryNamePattern();
}
