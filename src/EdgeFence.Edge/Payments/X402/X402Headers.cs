namespace EdgeFence.Edge.Payments.X402;

/// <summary>The x402 HTTP transport's header names (specs/transports-v2/http.md; v1 in specs/x402-specification-v1.md).</summary>
internal static class X402Headers
{
    /// <summary>v2: the server's offer on a 402, base64 of the PaymentRequired JSON.</summary>
    public const string PaymentRequired = "PAYMENT-REQUIRED";

    /// <summary>v2: the client's payment on the retry, base64 of the PaymentPayload JSON.</summary>
    public const string PaymentSignature = "PAYMENT-SIGNATURE";

    /// <summary>v2: the settlement receipt on the answer.</summary>
    public const string PaymentResponse = "PAYMENT-RESPONSE";

    /// <summary>v1: the client's payment (some v2 agents send it too: both are read).</summary>
    public const string XPayment = "X-PAYMENT";

    /// <summary>v1: the settlement receipt.</summary>
    public const string XPaymentResponse = "X-PAYMENT-RESPONSE";

    /// <summary>
    /// Browsers hide response headers a CORS response does not expose; the reference server does not
    /// expose them, so a browser client cannot read its offer or receipt. The edge does.
    /// </summary>
    public const string ExposeHeaders = "PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE";
}
