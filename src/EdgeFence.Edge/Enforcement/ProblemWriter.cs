using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Payments;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Enforcement;

/// <summary>Writes RFC 9457 <c>application/problem+json</c> bodies with a stable type per reason.</summary>
internal static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    /// <summary>A refused decision: its reason, and on a 402 for the balance the figures and the top-up link.</summary>
    public static Task WriteAsync(HttpContext context, in Decision decision, string requestId)
    {
        var due = PaymentDue.From(decision);
        if (due?.TopUpUrl is { } url)
        {
            context.Response.Headers.Link = "<" + url + ">; rel=\"payment\"";
        }

        return WriteAsync(context, decision.Reason, null, requestId, due);
    }

    public static Task WriteAsync(HttpContext context, DenyReason reason, string? detail, string? requestId, PaymentDue? due = null)
    {
        var info = DenyReasons.Get(reason);
        var response = context.Response;
        response.StatusCode = info.Status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        if (requestId is not null)
        {
            response.Headers[RequestSigner.RequestIdHeader] = requestId;
        }

        if (info.Status == 401)
        {
            response.Headers.WWWAuthenticate = reason == DenyReason.InvalidOriginKey ? "Bearer realm=\"edgefence-origin\"" : "Bearer realm=\"edgefence\"";
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            Write(writer, reason, detail, requestId, due);
        }

        return response.BodyWriter.FlushAsync().AsTask();
    }

    /// <summary>The problem object itself, also embedded in <c>/v1/authorize</c> answers and MCP errors (which add members through <paramref name="extra"/>).</summary>
    public static void Write(Utf8JsonWriter writer, DenyReason reason, string? detail, string? requestId, PaymentDue? due = null, Action<Utf8JsonWriter>? extra = null)
    {
        var info = DenyReasons.Get(reason);
        writer.WriteStartObject();
        writer.WriteString("type"u8, info.Type);
        writer.WriteString("title"u8, info.Title);
        writer.WriteNumber("status"u8, info.Status);
        if (detail is not null)
        {
            writer.WriteString("detail"u8, detail);
        }

        writer.WriteString("reason"u8, info.Code);
        if (requestId is not null)
        {
            writer.WriteString("requestId"u8, requestId);
        }

        if (due is { } payment)
        {
            writer.WriteNumber("balanceMicros"u8, payment.BalanceMicros);
            writer.WriteNumber("priceMicros"u8, payment.PriceMicros);
            writer.WriteString("currency"u8, payment.Currency);
            if (payment.TopUpUrl is not null)
            {
                writer.WriteString("topUpUrl"u8, payment.TopUpUrl);
            }
        }

        extra?.Invoke(writer);
        writer.WriteEndObject();
    }
}
