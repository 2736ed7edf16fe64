using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Tests.OpenAi;

/// <summary>
/// A local OpenAI-compatible origin (a Kestrel minimal API) at <c>/v1/chat/completions</c>: answers one assistant
/// message with <see cref="PromptTokens"/> and <see cref="CompletionTokens"/> as its usage, as JSON or, when the body
/// asks <c>"stream": true</c>, as SSE chunks whose last one carries the usage if <c>stream_options.include_usage</c> asked for it. Records the SHA-256 of each body as received.
/// </summary>
public sealed class OpenAiOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpenAiOrigin(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public long PromptTokens { get; set; } = 17;

    public long CompletionTokens { get; set; } = 5;

    /// <summary>Streaming: end the connection after the first chunk, before any usage.</summary>
    public bool CutBeforeUsage { get; set; }

    /// <summary>Raw usage JSON to send instead of the counts (absurd numbers).</summary>
    public string? UsageJson { get; set; }

    /// <summary>The origin meters itself: this value (<c>prompt_tokens=…, completion_tokens=…</c>) goes out in <see cref="ReportHeader"/>.</summary>
    public string? Report { get; set; }

    /// <summary>
    /// Only a header: Kestrel sends response trailers on HTTP/2 only (<c>SupportsTrailers()</c> is false on HTTP/1.1,
    /// checked here), so the trailer tests use a raw HTTP/1.1 origin (OpenAiOriginUsageTests).
    /// </summary>
    public string ReportHeader { get; set; } = "X-Origin-Usage";

    public ConcurrentQueue<string> BodyHashes { get; } = new();

    public ConcurrentQueue<string?> ChargedHeaders { get; } = new();

    /// <summary>The X-EdgeFence-Customer of each call as received.</summary>
    public ConcurrentQueue<string?> Customers { get; } = new();

    public static async Task<OpenAiOrigin> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        OpenAiOrigin? self = null;
        app.MapPost("/v1/chat/completions", (HttpContext context) => self!.AnswerAsync(context));
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new OpenAiOrigin(app, url);
        return self;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy);
        var body = copy.ToArray();
        BodyHashes.Enqueue(Convert.ToHexString(SHA256.HashData(body)));
        ChargedHeaders.Enqueue(context.Request.Headers["X-EdgeFence-Charged"].FirstOrDefault());
        Customers.Enqueue(context.Request.Headers["X-EdgeFence-Customer"].FirstOrDefault());
        using var json = JsonDocument.Parse(body);
        var model = json.RootElement.GetProperty("model").GetString();
        var stream = json.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = json.RootElement.TryGetProperty("stream_options", out var o) && o.ValueKind == JsonValueKind.Object
            && o.TryGetProperty("include_usage", out var u) && u.ValueKind == JsonValueKind.True;
        var usage = UsageJson ?? $"{{\"prompt_tokens\":{PromptTokens},\"completion_tokens\":{CompletionTokens},\"total_tokens\":{PromptTokens + CompletionTokens}}}";
        if (Report is not null)
        {
            context.Response.Headers[ReportHeader] = Report;
        }

        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"id":"chatcmpl-1","object":"chat.completion","created":1764000000,"model":"{{model}}","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}],"usage":{{usage}}}""");
            return;
        }

        context.Response.ContentType = "text/event-stream";
        async Task Send(string data)
        {
            await context.Response.WriteAsync("data: " + data + "\n\n");
            await context.Response.Body.FlushAsync();
        }

        await Send($$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764000000,"model":"{{model}}","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}],"usage":null}""");
        if (CutBeforeUsage)
        {
            context.Abort();
            return;
        }

        await Send($$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764000000,"model":"{{model}}","choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}],"usage":null}""");
        // As OpenAI does: the usage-only final chunk only when the request asked for it.
        if (includeUsage)
        {
            await Send($$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764000000,"model":"{{model}}","choices":[],"usage":{{usage}}}""");
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", Encoding.UTF8);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
