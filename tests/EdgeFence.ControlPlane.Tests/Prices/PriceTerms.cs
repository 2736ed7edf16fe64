namespace EdgeFence.ControlPlane.Tests.Prices;

/// <summary>Request bodies with every price field set, valid by the edge's rules, for tests to send or break.</summary>
internal static class PriceTerms
{
    public const string Asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
    public const string PayTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
    public const string TopUpUrl = "https://pay.example/top-up?customer={customer}";

    /// <summary>x402 terms on a local chain; <paramref name="decimals"/> 6, as USDC.</summary>
    public static object X402(int decimals = 6) => new
    {
        facilitatorUrl = "http://127.0.0.1:9/facilitator",
        network = "eip155:31337",
        asset = Asset,
        payTo = PayTo,
        assetName = "USD Coin",
        assetVersion = "2",
        assetDecimals = decimals,
        currency = "USD",
        maxTimeoutSeconds = 120,
    };
}
