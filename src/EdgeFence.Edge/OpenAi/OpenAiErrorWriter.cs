using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Payments;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.OpenAi;

/// <summary>
/// Refusals in the shape OpenAI SDKs parse, <c>{"error":{"message","type","code"}}</c>, with the status of the deny
/// reason: the SDKs surface <c>code</c> in their exceptions (the .NET SDK's ClientResultException message). The
/// <c>code</c> is the edge's stable reason code (<c>insufficient-balance</c>, <c>rate-limited</c>, …); <c>type</c> is by status.
/// </summary>
internal static class OpenAiErrorWriter
{
    public static Task WriteAsync(HttpContext context, in Decision decision, string requestId)
    {
        var info = DenyReasons.Get(decision.Reason);
        var message = info.Title;
        if (PaymentDue.From(decision) is { } due)
        {
            message = $"{info.Title}: the balance is {due.BalanceMicros / 1_000_000m} {due.Currency}, this call reserves {due.PriceMicros / 1_000_000m} {due.Currency}";
            if (due.TopUpUrl is { } url)
            {
                context.Response.Headers.Link = "<" + url + ">; rel=\"payment\"";
                message += "; top up at " + url;
            }
        }

        return WriteAsync(context, info.Status, message, info.Code, requestId, PaymentDue.From(decision));
    }

    /// <summary>A refusal; on a 402 for the balance its figures ride along as <c>balance_micros</c>, <c>price_micros</c>, <c>currency</c>, <c>top_up_url</c> (SDKs ignore members they do not know).</summary>
    public static Task WriteAsync(HttpContext context, int status, string message, string code, string requestId, PaymentDue? due = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        response.Headers[RequestSigner.RequestIdHeader] = requestId;
        if (status == 401)
        {
            response.Headers.WWWAuthenticate = "Bearer realm=\"edgefence\"";
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error"u8);
            writer.WriteString("message"u8, message);
            writer.WriteString("type"u8, TypeOf(status));
            writer.WriteString("code"u8, code);
            writer.WriteString("request_id"u8, requestId);
            if (due is { } payment)
            {
                writer.WriteNumber("balance_micros"u8, payment.BalanceMicros);
                writer.WriteNumber("price_micros"u8, payment.PriceMicros);
                writer.WriteString("currency"u8, payment.Currency);
                if (payment.TopUpUrl is not null)
                {
                    writer.WriteString("top_up_url"u8, payment.TopUpUrl);
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return response.BodyWriter.FlushAsync().AsTask();
    }

    /// <summary>OpenAI's own error types where one fits; <c>insufficient_balance</c> for the edge's 402.</summary>
    private static string TypeOf(int status) => status switch
    {
        400 or 404 or 405 or 413 => "invalid_request_error",
        401 => "authentication_error",
        402 => "insufficient_balance",
        403 => "permission_error",
        429 => "rate_limit_error",
        _ => "api_error",
    };
}
