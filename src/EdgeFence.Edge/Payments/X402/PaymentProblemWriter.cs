using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Enforcement;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// Writes a refused x402 call: an RFC 9457 problem (same members as <see cref="ProblemWriter"/>) that
/// also carries the offer. A 402 has the v2 <c>PAYMENT-REQUIRED</c> header and, where the network has a
/// v1 name, the v1 fields in the body (<c>x402Version</c>, <c>error</c>, <c>accepts</c>), which a v1
/// client reads and a v2 client ignores (it reads the header first). A 503 has <c>Retry-After</c>.
/// </summary>
internal static class PaymentProblemWriter
{
    /// <summary>Seconds a client waits before retrying when the facilitator cannot be used.</summary>
    public const int UnavailableRetryAfterSeconds = 5;

    public static Task WriteAsync(HttpContext context, DenyReason reason, string? detail, string requestId, X402Terms terms, string resourceUrl, string? settlementHeader = null, bool v1 = false)
    {
        var info = DenyReasons.Get(reason);
        var response = context.Response;
        response.StatusCode = info.Status;
        response.ContentType = ProblemWriter.ContentType;
        var headers = response.Headers;
        headers.CacheControl = "no-store";
        headers[RequestSigner.RequestIdHeader] = requestId;
        headers.AccessControlExposeHeaders = X402Headers.ExposeHeaders;
        if (info.Status == StatusCodes.Status402PaymentRequired)
        {
            headers[X402Headers.PaymentRequired] = PaymentRequirementsWriter.HeaderValue(terms, resourceUrl, detail ?? info.Title);
        }
        else
        {
            headers.RetryAfter = UnavailableRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (settlementHeader is not null)
        {
            headers[X402Headers.PaymentResponse] = settlementHeader;
            if (v1)
            {
                headers[X402Headers.XPaymentResponse] = settlementHeader;
            }
        }

        using (var w = new Utf8JsonWriter(response.BodyWriter))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, info.Type);
            w.WriteString("title"u8, info.Title);
            w.WriteNumber("status"u8, info.Status);
            if (detail is not null)
            {
                w.WriteString("detail"u8, detail);
            }

            w.WriteString("reason"u8, info.Code);
            w.WriteString("requestId"u8, requestId);
            if (info.Status == StatusCodes.Status402PaymentRequired && terms.V1Network is not null)
            {
                w.WriteNumber("x402Version"u8, 1);
                w.WriteString("error"u8, detail ?? info.Title);
                w.WriteStartArray("accepts"u8);
                PaymentRequirementsWriter.WriteV1(w, terms, resourceUrl);
                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return response.BodyWriter.FlushAsync().AsTask();
    }
}
