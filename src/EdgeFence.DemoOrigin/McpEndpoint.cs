using System.Text.Json;

namespace EdgeFence.DemoOrigin;

/// <summary>
/// A minimal MCP tool server for the demo at <c>POST /mcp</c> (Streamable HTTP, JSON answers): <c>tools/list</c> offers
/// one tool, <c>echo</c>, and <c>tools/call</c> of it answers its <c>text</c> argument back. Hand-written JSON-RPC so the
/// demo origin needs no MCP package; the edge's tests run the official C# SDK on both sides.
/// </summary>
public static class McpEndpoint
{
    public const string Path = "/mcp";

    public static async Task HandleAsync(HttpContext context, bool signatureValid)
    {
        if (!signatureValid)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        JsonDocument json;
        try
        {
            json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            await WriteAsync(context, "null", """{"code":-32700,"message":"Parse error"}""", isError: true).ConfigureAwait(false);
            return;
        }

        using (json)
        {
            var root = json.RootElement;
            var id = root.TryGetProperty("id", out var idElement) ? idElement.GetRawText() : null;
            var method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (id is null)
            {
                // A notification: nothing to answer.
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            }

            switch (method)
            {
                case "tools/list":
                    await WriteAsync(context, id, """{"tools":[{"name":"echo","description":"Says the text back","inputSchema":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}}]}""").ConfigureAwait(false);
                    break;
                case "tools/call" when root.TryGetProperty("params", out var p) && p.TryGetProperty("name", out var name) && name.ValueEquals("echo"u8):
                    var text = p.TryGetProperty("arguments", out var args) && args.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "";
                    await WriteAsync(context, id, $$"""{"content":[{"type":"text","text":"{{JsonEncodedText.Encode(text ?? "")}}"}],"isError":false}""").ConfigureAwait(false);
                    break;
                default:
                    await WriteAsync(context, id, """{"code":-32601,"message":"Method not found"}""", isError: true).ConfigureAwait(false);
                    break;
            }
        }
    }

    private static Task WriteAsync(HttpContext context, string id, string payload, bool isError = false)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync($$"""{"jsonrpc":"2.0","id":{{id}},"{{(isError ? "error" : "result")}}":{{payload}}}""");
    }
}
