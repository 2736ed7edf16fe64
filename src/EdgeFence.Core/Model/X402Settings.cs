namespace EdgeFence.Core.Model;

/// <summary>
/// A site's terms for x402 pay-per-call: where payments are verified and settled, and what is paid with
/// what. The edge never talks to a chain, only to the facilitator over HTTP.
/// </summary>
public sealed class X402Settings
{
    /// <summary>Base URL of the facilitator: <c>POST {url}/verify</c> and <c>POST {url}/settle</c>.</summary>
    public required string FacilitatorUrl { get; init; }

    /// <summary>CAIP-2 network id, e.g. <c>eip155:8453</c> (Base) or <c>eip155:31337</c> (a local chain).</summary>
    public required string Network { get; init; }

    /// <summary>Address of the token contract payments are made in (0x, 40 hex digits).</summary>
    public required string Asset { get; init; }

    /// <summary>Address that receives the payments (0x, 40 hex digits).</summary>
    public required string PayTo { get; init; }

    /// <summary>The token's EIP-712 domain name (<c>USD Coin</c>), sent as <c>extra.name</c>.</summary>
    public required string AssetName { get; init; }

    /// <summary>The token's EIP-712 domain version (<c>2</c>), sent as <c>extra.version</c>.</summary>
    public required string AssetVersion { get; init; }

    /// <summary>Decimals of the token: an amount in atomic units is price × 10^decimals / 10^6.</summary>
    public int AssetDecimals { get; init; } = 6;

    /// <summary>The price currency one whole token is worth (<c>USD</c> for USDC): only resources priced in it accept x402.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>How long a signed payment may stay valid, in seconds (the requirements' <c>maxTimeoutSeconds</c>).</summary>
    public int MaxTimeoutSeconds { get; init; } = 60;

    /// <summary>
    /// A price in micro-units of <see cref="Currency"/> as the token's atomic units (price × 10^decimals / 10^6).
    /// False when that is not a positive whole number: the reference client truncates such amounts, so a price
    /// that does not convert exactly is refused rather than rounded.
    /// </summary>
    public bool TryGetAtomicAmount(long priceMicros, out UInt128 amount)
    {
        amount = 0;
        if (priceMicros <= 0 || AssetDecimals is < 0 or > 18)
        {
            return false;
        }

        UInt128 scaled = (UInt128)priceMicros * UInt128Pow10(AssetDecimals);
        if (scaled % 1_000_000 != 0)
        {
            return false;
        }

        amount = scaled / 1_000_000;
        return true;
    }

    private static UInt128 UInt128Pow10(int exponent)
    {
        UInt128 result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
