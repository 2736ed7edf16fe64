using System.Globalization;
using System.Numerics;

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

    public X402Terms(Uri facilitatorUrl, string network, string asset, string payTo, string assetName, string assetVersion, int assetDecimals,
        long priceMicros, string currency, int maxTimeoutSeconds, string description)
    {
        FacilitatorUrl = facilitatorUrl;
        var root = facilitatorUrl.AbsoluteUri.TrimEnd('/');
        VerifyUrl = new Uri(root + "/verify");
        SettleUrl = new Uri(root + "/settle");
        Network = network;
        Asset = asset;
        PayTo = payTo;
        AssetName = assetName;
        AssetVersion = assetVersion;
        PriceMicros = priceMicros;
        Currency = currency;
        MaxTimeoutSeconds = maxTimeoutSeconds;
        Description = description;
        Amount = AtomicAmount(priceMicros, assetDecimals)
            ?? throw new ArgumentException($"a price of {priceMicros} micros is not a whole number of atomic units of a {assetDecimals}-decimal asset", nameof(priceMicros));
        V1Network = X402Networks.ToV1Name(network);
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

    /// <summary>
    /// priceMicros × 10^decimals / 10^6 as a decimal string, or null when that is not a positive
    /// integer: the reference truncates a sub-unit price to "0", which would give calls away.
    /// </summary>
    public static string? AtomicAmount(long priceMicros, int assetDecimals)
    {
        if (priceMicros <= 0 || assetDecimals is < 0 or > 36)
        {
            return null;
        }

        var scaled = new BigInteger(priceMicros) * BigInteger.Pow(10, assetDecimals);
        var amount = BigInteger.DivRem(scaled, 1_000_000, out var remainder);
        return remainder.IsZero && amount.Sign > 0 ? amount.ToString(CultureInfo.InvariantCulture) : null;
    }
}
