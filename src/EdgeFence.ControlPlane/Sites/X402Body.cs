namespace EdgeFence.ControlPlane.Sites;

/// <summary>
/// A site's x402 pay-per-call terms, in requests and answers (<c>x402</c>). Nothing here is secret: these are
/// the payment requirements the edge sends to every caller. Shapes are the edge's rules (see <c>X402Settings</c>).
/// </summary>
public sealed class X402Body
{
    /// <summary>Base URL of the facilitator the edge calls: <c>POST {url}/verify</c>, <c>POST {url}/settle</c>.</summary>
    public string? FacilitatorUrl { get; set; }

    /// <summary>CAIP-2 network id, e.g. <c>eip155:8453</c>.</summary>
    public string? Network { get; set; }

    /// <summary>Token contract address (0x and 40 hex digits).</summary>
    public string? Asset { get; set; }

    /// <summary>Address receiving the payments (0x and 40 hex digits).</summary>
    public string? PayTo { get; set; }

    /// <summary>The token's EIP-712 domain name (<c>USD Coin</c>).</summary>
    public string? AssetName { get; set; }

    /// <summary>The token's EIP-712 domain version (<c>2</c>).</summary>
    public string? AssetVersion { get; set; }

    /// <summary>Decimals of the token, 0-18; default 6.</summary>
    public int? AssetDecimals { get; set; }

    /// <summary>The currency one whole token is worth; default <c>USD</c>. Only resources priced in it take x402.</summary>
    public string? Currency { get; set; }

    /// <summary>How long a signed payment stays valid, 1-3600 seconds; default 60.</summary>
    public int? MaxTimeoutSeconds { get; set; }
}
