using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Sites;

/// <summary>Shapes shared by site creation and update: hosts, static name/value pairs, top-up link and x402 terms as the snapshot holds them.</summary>
internal static class SiteInput
{
    /// <summary>Host names compare case-insensitively everywhere; stored lower-case so duplicates are caught as such.</summary>
    public static List<string> Hosts(RequestErrors errors, List<string?>? hosts) =>
        [.. errors.Strings(hosts, "hosts").Select(h => h.Trim().ToLowerInvariant())];

    public static List<NameValue> Pairs(RequestErrors errors, Dictionary<string, string?>? items, string field)
    {
        var result = new List<NameValue>();
        if (items is null)
        {
            return result;
        }

        // Document order, which System.Text.Json keeps as the dictionary's insertion order.
        foreach (var (name, value) in items)
        {
            if (value is null)
            {
                errors.Add($"{field}.{name}", "must be a string");
            }
            else
            {
                result.Add(new NameValue(name, value));
            }
        }

        return result;
    }

    /// <summary>
    /// Present and non-empty; its URL shape (absolute http(s), at most 2048 characters, <c>{customer}</c> allowed)
    /// is the snapshot validator's rule, reported on the same field.
    /// </summary>
    public static string? TopUpUrl(RequestErrors errors, string? url) =>
        url is null ? null : errors.Required(url, "topUpUrl");

    /// <summary>
    /// Every required member present; the defaults filled in. URL, network and address shapes, decimals and
    /// timeout ranges are the snapshot validator's rules, reported as <c>x402.&lt;member&gt;</c>.
    /// </summary>
    public static X402Settings? X402(RequestErrors errors, X402Body? body)
    {
        if (body is null)
        {
            return null;
        }

        return new X402Settings
        {
            FacilitatorUrl = errors.Required(body.FacilitatorUrl, "x402.facilitatorUrl"),
            Network = errors.Required(body.Network, "x402.network"),
            Asset = errors.Required(body.Asset, "x402.asset"),
            PayTo = errors.Required(body.PayTo, "x402.payTo"),
            AssetName = errors.Required(body.AssetName, "x402.assetName"),
            AssetVersion = errors.Required(body.AssetVersion, "x402.assetVersion"),
            AssetDecimals = body.AssetDecimals ?? 6,
            Currency = PriceInput.Currency(errors, body.Currency, "x402.currency"),
            MaxTimeoutSeconds = body.MaxTimeoutSeconds ?? 60,
        };
    }

    public static X402Body? Body(X402Settings? x402) => x402 is null ? null : new X402Body
    {
        FacilitatorUrl = x402.FacilitatorUrl,
        Network = x402.Network,
        Asset = x402.Asset,
        PayTo = x402.PayTo,
        AssetName = x402.AssetName,
        AssetVersion = x402.AssetVersion,
        AssetDecimals = x402.AssetDecimals,
        Currency = x402.Currency,
        MaxTimeoutSeconds = x402.MaxTimeoutSeconds,
    };

    /// <summary>
    /// Resources of the site that take x402 must still be payable under the new terms. The snapshot validator
    /// would refuse the same, but on the resource's fields; an operator changing the site needs the site's.
    /// </summary>
    public static void CheckX402Resources(Change change, string siteId, X402Settings? x402)
    {
        var errors = new RequestErrors();
        var paid = change.Command("SELECT id, price_micros, currency FROM resources WHERE site_id = $site AND payment <> 0 ORDER BY created_at_unix, id")
            .With("$site", siteId).ReadAll(r => (Id: r.GetString(0), PriceMicros: r.GetInt64(1), Currency: r.GetString(2)));
        foreach (var resource in paid)
        {
            if (x402 is null)
            {
                errors.Add("x402", $"resource '{resource.Id}' takes x402 payment; change its payment to token or delete it first");
            }
            else if (resource.Currency != x402.Currency)
            {
                errors.Add("x402.currency", $"resource '{resource.Id}' takes x402 payment priced in {resource.Currency}");
            }
            else if (x402.AssetDecimals is >= 0 and <= 18 && !x402.TryGetAtomicAmount(resource.PriceMicros, out _))
            {
                errors.Add("x402.assetDecimals", $"the price of resource '{resource.Id}' is not a whole number of the asset's smallest unit (10^-{x402.AssetDecimals})");
            }
        }

        errors.ThrowIfAny();
    }
}
