namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// x402 v1 named EVM networks by name (<c>base-sepolia</c>); v2 uses CAIP-2 (<c>eip155:84532</c>).
/// The table is the one the reference packages accept for v1 (<c>@x402/evm</c> 2.27,
/// <c>EVM_NETWORK_CHAIN_ID_MAP</c>); a chain missing from it has no v1 name and is offered in v2 only.
/// </summary>
internal static class X402Networks
{
    private static readonly (string Name, long ChainId)[] V1 =
    [
        ("ethereum", 1), ("sepolia", 11155111), ("abstract", 2741), ("abstract-testnet", 11124),
        ("base-sepolia", 84532), ("base", 8453), ("avalanche-fuji", 43113), ("avalanche", 43114),
        ("iotex", 4689), ("sei", 1329), ("sei-testnet", 1328), ("polygon", 137), ("polygon-amoy", 80002),
        ("peaq", 3338), ("story", 1514), ("educhain", 41923), ("skale-base-sepolia", 324705682),
        ("megaeth", 4326), ("monad", 143), ("stable", 988), ("stable-testnet", 2201), ("celo", 42220), ("flare", 14),
    ];

    /// <summary>The v1 name of a CAIP-2 <c>eip155:&lt;chainId&gt;</c> network, or null.</summary>
    public static string? ToV1Name(string caip2)
    {
        if (!caip2.StartsWith("eip155:", StringComparison.Ordinal) || !long.TryParse(caip2.AsSpan(7), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var chainId))
        {
            return null;
        }

        foreach (var (name, id) in V1)
        {
            if (id == chainId)
            {
                return name;
            }
        }

        return null;
    }
}
