using System.Buffers;
using System.Text.Json;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// Writes the edge's offer: one <c>exact</c> requirement in v2 shape (<c>amount</c>, CAIP-2 network)
/// and in v1 shape (<c>maxAmountRequired</c>, named network, resource inline), and the v2
/// <c>PAYMENT-REQUIRED</c> header value (base64 of the PaymentRequired JSON).
/// </summary>
internal static class PaymentRequirementsWriter
{
    /// <summary>The v2 requirement: also what <c>accepted</c> must match and what the facilitator is sent.</summary>
    public static void WriteV2(Utf8JsonWriter w, X402Terms terms)
    {
        w.WriteStartObject();
        w.WriteString("scheme"u8, X402Terms.Scheme);
        w.WriteString("network"u8, terms.Network);
        w.WriteString("amount"u8, terms.Amount);
        w.WriteString("asset"u8, terms.Asset);
        w.WriteString("payTo"u8, terms.PayTo);
        w.WriteNumber("maxTimeoutSeconds"u8, terms.MaxTimeoutSeconds);
        WriteExtra(w, terms);
        w.WriteEndObject();
    }

    /// <summary>The v1 requirement for <paramref name="resourceUrl"/>; only when <see cref="X402Terms.V1Network"/> is set.</summary>
    public static void WriteV1(Utf8JsonWriter w, X402Terms terms, string resourceUrl)
    {
        w.WriteStartObject();
        w.WriteString("scheme"u8, X402Terms.Scheme);
        w.WriteString("network"u8, terms.V1Network);
        w.WriteString("maxAmountRequired"u8, terms.Amount);
        w.WriteString("resource"u8, resourceUrl);
        w.WriteString("description"u8, terms.Description);
        w.WriteString("mimeType"u8, "");
        w.WriteString("payTo"u8, terms.PayTo);
        w.WriteNumber("maxTimeoutSeconds"u8, terms.MaxTimeoutSeconds);
        w.WriteString("asset"u8, terms.Asset);
        WriteExtra(w, terms);
        w.WriteEndObject();
    }

    /// <summary>The v2 <c>PAYMENT-REQUIRED</c> value: <c>{x402Version:2, error, resource, accepts:[…]}</c> in base64.</summary>
    public static string HeaderValue(X402Terms terms, string resourceUrl, string error)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("x402Version"u8, 2);
            w.WriteString("error"u8, error);
            w.WriteStartObject("resource"u8);
            w.WriteString("url"u8, resourceUrl);
            w.WriteString("description"u8, terms.Description);
            w.WriteString("mimeType"u8, "");
            w.WriteEndObject();
            w.WriteStartArray("accepts"u8);
            WriteV2(w, terms);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Convert.ToBase64String(buffer.WrittenSpan);
    }

    private static void WriteExtra(Utf8JsonWriter w, X402Terms terms)
    {
        // The token's EIP-712 domain: without it a client cannot sign (invalid_exact_evm_missing_eip712_domain).
        w.WriteStartObject("extra"u8);
        w.WriteString("name"u8, terms.AssetName);
        w.WriteString("version"u8, terms.AssetVersion);
        w.WriteEndObject();
    }
}
