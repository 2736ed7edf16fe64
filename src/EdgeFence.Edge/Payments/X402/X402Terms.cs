using System.Globalization;
using EdgeFence.Core.Model;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// What one x402-paid resource asks for, in the protocol's terms: the <c>exact</c> scheme on one EVM
/// network, an amount in the asset's atomic units, paid to one address. Built once per snapshot and
/// resource (<see cref="X402TermsCache"/>), so a request compares spans against these strings.
/// </summary>
internal sealed class X402Terms
{
    /// <summary>The only scheme the edge offers: a fixed amount per call (EIP-3009 transfer authorization).</summary>
    public const string Scheme = "exact";

    private X402Terms(Uri facilitatorUrl, X402Settings settings, string amount, long priceMicros, string description)
    {
        FacilitatorUrl = facilitatorUrl;
        var root = facilitatorUrl.AbsoluteUri.TrimEnd('/');
        VerifyUrl = new Uri(root + "/verify");
        SettleUrl = new Uri(root + "/settle");
        Network = settings.Network;
        Asset = settings.Asset;
        PayTo = settings.PayTo;
        AssetName = settings.AssetName;
        AssetVersion = settings.AssetVersion;
        Amount = amount;
        PriceMicros = priceMicros;
        Currency = settings.Currency;
        MaxTimeoutSeconds = settings.MaxTimeoutSeconds;
        Description = description;
        V1Network = X402Networks.ToV1Name(settings.Network);
    }

    /// <summary>
    /// The terms of a resource priced <paramref name="priceMicros"/> on a site with <paramref name="settings"/>,
    /// or null when they cannot be paid (a relative facilitator URL, a price in another currency, or
    /// one that is not a whole positive number of atomic units); snapshot validation refuses all three.
    /// </summary>
    public static X402Terms? Create(X402Settings settings, long priceMicros, string currency, string description)
    {
        if (!Uri.TryCreate(settings.FacilitatorUrl, UriKind.Absolute, out var facilitator) || currency != settings.Currency
            || !settings.TryGetAtomicAmount(priceMicros, out var amount))
        {
            return null;
        }

        return new X402Terms(facilitator, settings, amount.ToString(CultureInfo.InvariantCulture), priceMicros, description);
    }

    /// <summary>Base URL of the facilitator (<c>POST {url}/verify</c>, <c>POST {url}/settle</c>).</summary>
    public Uri FacilitatorUrl { get; }

    public Uri VerifyUrl { get; }

    public Uri SettleUrl { get; }

    /// <summary>CAIP-2 network id, e.g. <c>eip155:8453</c>.</summary>
    public string Network { get; }

    /// <summary>The v1 name of <see cref="Network"/> (<c>base</c>), or null when v1 has none: then only v2 is offered.</summary>
    public string? V1Network { get; }

    /// <summary>Token contract address (0x + 40 hex).</summary>
    public string Asset { get; }

    /// <summary>Address that receives the payment.</summary>
    public string PayTo { get; }

    /// <summary>The token's EIP-712 domain name and version: clients sign against them (<c>extra</c>).</summary>
    public string AssetName { get; }

    public string AssetVersion { get; }

    /// <summary>Price per call in atomic units of the asset, a decimal string without leading zeros.</summary>
    public string Amount { get; }

    /// <summary>The same price in millionths of <see cref="Currency"/>: what the decision records as charged.</summary>
    public long PriceMicros { get; }

    public string Currency { get; }

    public int MaxTimeoutSeconds { get; }

    public string Description { get; }
}
