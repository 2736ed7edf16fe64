using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Payments;
using EdgeFence.Edge.Payments.X402;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Mcp;

/// <summary>
/// Refuses MCP requests the way MCP clients read them: a JSON-RPC error for each request id, whose <c>data</c> is
/// the edge's problem details (with the top-up link or the x402 offer when money would let the call through). A
/// refusal that can name its ids is answered with 200, so the client's SDK raises it as that call's error with our
/// message, not as a transport failure; one that cannot (a body that is not JSON-RPC, too large, no id) keeps the
/// HTTP status. 401 always stays 401 with <c>WWW-Authenticate</c>: it is the transport's answer to a missing key.
/// </summary>
internal static class McpErrorWriter
{
    /// <summary>A decision refused an MCP request.</summary>
    public static Task WriteAsync(HttpContext context, in Decision decision, string requestId, McpRequest mcp)
    {
        var info = DenyReasons.Get(decision.Reason);
        var due = PaymentDue.From(decision);
        var message = info.Title;
        if (due?.TopUpUrl is { } url)
        {
            context.Response.Headers.Link = "<" + url + ">; rel=\"payment\"";
            message += "; top up at " + url;
        }

        var offer = context.Response.Headers[X402Headers.PaymentRequired].ToString();
        if (offer.Length > 0)
        {
            message += "; or pay for this call with x402 (data.paymentRequired)";
        }

        var status = info.Status == 401 || !HasIds(mcp) ? info.Status : StatusCodes.Status200OK;
        return WriteAsync(context, status, McpErrorCodes.ForStatus(info.Status), message, mcp, requestId, writer =>
        {
            if (offer.Length > 0)
            {
                writer.WritePropertyName("paymentRequired"u8);
                writer.WriteStringValue(offer);
            }
        }, decision.Reason, due);
    }

    /// <summary>An MCP request that could not be priced (<see cref="McpRequest.Status"/>).</summary>
    public static Task WriteAsync(HttpContext context, McpRequest mcp, string requestId)
        => WriteAsync(context, mcp.Status, mcp.Code, mcp.Problem!, mcp, requestId, null, DenyReason.InvalidRequestBody, null);

    /// <summary>An answer of the origin the edge cannot pass on (a tools/list too large to filter): 502.</summary>
    public static Task WriteOriginErrorAsync(HttpContext context, McpRequest mcp, string requestId, string message)
        => WriteAsync(context, StatusCodes.Status502BadGateway, McpErrorCodes.InternalError, message, mcp, requestId, null, DenyReason.OriginUnreachable, null);

    private static Task WriteAsync(HttpContext context, int status, int code, string message, McpRequest mcp, string requestId, Action<Utf8JsonWriter>? extra, DenyReason reason, PaymentDue? due)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        response.Headers[RequestSigner.RequestIdHeader] = requestId;
        if (status == 401)
        {
            // No resource_metadata: this edge takes API keys, it is no OAuth resource server to discover.
            response.Headers.WWWAuthenticate = "Bearer realm=\"edgefence\"";
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            var detail = reason == DenyReason.InvalidRequestBody ? message : null;
            if (mcp.IsBatch && HasIds(mcp))
            {
                writer.WriteStartArray();
                foreach (var call in mcp.Calls)
                {
                    if (call.IdJson is not null && !call.IsResponse)
                    {
                        WriteError(writer, call.IdJson, code, message, reason, detail, requestId, due, extra);
                    }
                }

                writer.WriteEndArray();
            }
            else
            {
                WriteError(writer, mcp.Calls is [{ IdJson: { } id }, ..] ? id : null, code, message, reason, detail, requestId, due, extra);
            }
        }

        return response.BodyWriter.FlushAsync().AsTask();
    }

    private static void WriteError(Utf8JsonWriter writer, string? idJson, int code, string message, DenyReason reason, string? detail, string requestId, PaymentDue? due, Action<Utf8JsonWriter>? extra)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0");
        writer.WritePropertyName("id"u8);
        if (idJson is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(idJson);
        }

        writer.WriteStartObject("error"u8);
        writer.WriteNumber("code"u8, code);
        writer.WriteString("message"u8, message);
        writer.WritePropertyName("data"u8);
        ProblemWriter.Write(writer, reason, detail, requestId, due, extra);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static bool HasIds(McpRequest mcp)
    {
        foreach (var call in mcp.Calls)
        {
            if (call.IdJson is not null && !call.IsResponse)
            {
                return true;
            }
        }

        return false;
    }
}
