using System.Text.Json;

namespace EdgeFence.DemoOrigin;

/// <summary>
/// A tiny OpenAI-compatible <c>POST /ai/v1/chat/completions</c> for the demo: one assistant message and a fixed
/// <c>usage</c> (12 prompt + 8 completion tokens), as JSON, or as SSE chunks when the body asks <c>"stream": true</c>
/// (the usage chunk only with <c>stream_options.include_usage</c>, as OpenAI does). The edge charges from that usage.
/// </summary>
public static class ChatCompletionsEndpoint
{
    public const string Path = "/ai/v1/chat/completions";

    public const int PromptTokens = 12;

    public const int CompletionTokens = 8;

    private const string Usage = """{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}""";

    public static async Task HandleAsync(HttpContext context, bool signatureValid)
    {
        if (!signatureValid)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"error":{"message":"not signed by the edge","type":"authentication_error","code":"invalid-signature"}}""").ConfigureAwait(false);
            return;
        }

        JsonDocument json;
        try
        {
            json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using (json)
        {
            var root = json.RootElement;
            var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : "demo-mini";
            var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            var includeUsage = root.TryGetProperty("stream_options", out var o) && o.ValueKind == JsonValueKind.Object
                && o.TryGetProperty("include_usage", out var u) && u.ValueKind == JsonValueKind.True;
            var modelJson = "\"" + JsonEncodedText.Encode(model ?? "demo-mini").ToString() + "\"";
            if (!stream)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($$"""{"id":"chatcmpl-demo","object":"chat.completion","created":1764000000,"model":{{modelJson}},"choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the demo model"},"finish_reason":"stop"}],"usage":{{Usage}}}""").ConfigureAwait(false);
                return;
            }

            context.Response.ContentType = "text/event-stream";
            foreach (var (content, finish) in new[] { ("Hello", "null"), (" from the demo model", "\"stop\"") })
            {
                await context.Response.WriteAsync($$"""data: {"id":"chatcmpl-demo","object":"chat.completion.chunk","created":1764000000,"model":{{modelJson}},"choices":[{"index":0,"delta":{"content":"{{content}}"},"finish_reason":{{finish}}}]}""" + "\n\n").ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }

            if (includeUsage)
            {
                await context.Response.WriteAsync($$"""data: {"id":"chatcmpl-demo","object":"chat.completion.chunk","created":1764000000,"model":{{modelJson}},"choices":[],"usage":{{Usage}}}""" + "\n\n").ConfigureAwait(false);
            }

            await context.Response.WriteAsync("data: [DONE]\n\n").ConfigureAwait(false);
        }
    }
}
