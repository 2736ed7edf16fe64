using System.Buffers;
using System.Text.Json;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>The <c>PAYMENT-RESPONSE</c> (v1: <c>X-PAYMENT-RESPONSE</c>) value: base64 of the settlement receipt JSON.</summary>
internal static class SettlementResponseWriter
{
    /// <summary><c>{"success":true,"transaction","network","payer"}</c>, or the failure shape with <c>errorReason</c>.</summary>
    public static string HeaderValue(in FacilitatorAnswer settled, string network, string payer)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            var success = settled.Outcome == FacilitatorOutcome.Succeeded;
            w.WriteStartObject();
            w.WriteBoolean("success"u8, success);
            if (!success)
            {
                w.WriteString("errorReason"u8, settled.Reason ?? "unspecified");
            }

            w.WriteString("transaction"u8, success ? settled.Transaction : "");
            w.WriteString("network"u8, settled.Network ?? network);
            w.WriteString("payer"u8, settled.Payer ?? payer);
            w.WriteEndObject();
        }

        return Convert.ToBase64String(buffer.WrittenSpan);
    }
}
