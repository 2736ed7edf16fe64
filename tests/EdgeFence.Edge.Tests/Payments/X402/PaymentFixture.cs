using System.Text;
using System.Text.Json.Nodes;
using EdgeFence.Core.Model;
using EdgeFence.Edge.Payments.X402;

namespace EdgeFence.Edge.Tests.Payments.X402;

/// <summary>x402 payments shaped as the reference client (@x402/fetch 2.27) sends them, to be bent one field at a time.</summary>
internal static class PaymentFixture
{
    public const string Network = "eip155:84532";
    public const string Asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
    public const string PayTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
    public const string From = "0x62141F40b5D871977712FC8D28E5B08d9fAD0B21";
    public const long Now = 1_796_226_000;

    public static X402Settings Settings(string facilitator = "http://127.0.0.1:9/", string network = Network) => new()
    {
        FacilitatorUrl = facilitator, Network = network, Asset = Asset, PayTo = PayTo,
        AssetName = "USDC", AssetVersion = "2", AssetDecimals = 6, Currency = "USD", MaxTimeoutSeconds = 60,
    };

    public static X402Terms Terms(string facilitator = "http://127.0.0.1:9/", string network = Network)
        => X402Terms.Create(Settings(facilitator, network), priceMicros: 10_000, "USD", "a paid call")!;

    /// <summary>A v2 payment for <see cref="Terms"/> as a JSON tree, valid at <see cref="Now"/>.</summary>
    public static JsonObject V2(string nonce = "0xcef9ce9d608e32c723fd7da4e50b56fa1c2085ba83e8606b093f91f937427746", long now = Now) => new()
    {
        ["x402Version"] = 2,
        ["payload"] = new JsonObject
        {
            ["authorization"] = new JsonObject
            {
                ["from"] = From,
                ["to"] = PayTo,
                ["value"] = "10000",
                ["validAfter"] = "0",
                ["validBefore"] = (now + 60).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["nonce"] = nonce,
            },
            ["signature"] = "0x" + new string('a', 130),
        },
        ["resource"] = new JsonObject { ["url"] = "http://127.0.0.1/paid", ["description"] = "a paid call", ["mimeType"] = "" },
        ["accepted"] = new JsonObject
        {
            ["scheme"] = "exact",
            ["network"] = Network,
            ["amount"] = "10000",
            ["asset"] = Asset.ToLowerInvariant(),
            ["payTo"] = PayTo,
            ["maxTimeoutSeconds"] = 60,
            ["extra"] = new JsonObject { ["name"] = "USDC", ["version"] = "2" },
        },
    };

    /// <summary>The same payment in v1 shape (scheme and network named at the top, no accepted).</summary>
    public static JsonObject V1(string? nonce = null, long now = Now)
    {
        var payment = nonce is null ? V2(now: now) : V2(nonce, now);
        payment["x402Version"] = 1;
        payment.Remove("accepted");
        payment.Remove("resource");
        payment["scheme"] = "exact";
        payment["network"] = "base-sepolia";
        return payment;
    }

    /// <summary>A v2 payment valid now, with a fresh random nonce.</summary>
    public static JsonObject Live() => V2(FreshNonce(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    public static string FreshNonce() => "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static string Header(JsonNode payment) => Encode(payment.ToJsonString());

    public static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
}
