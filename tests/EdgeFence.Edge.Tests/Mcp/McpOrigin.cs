using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace EdgeFence.Edge.Tests.Mcp;

/// <summary>
/// A real MCP server (the official C# SDK, Streamable HTTP, stateless) on loopback at <c>/mcp</c>, with three tools:
/// <c>echo</c>, <c>search</c> and <c>store</c>. It records every tool call's arguments as the SDK parsed them, and the
/// SHA-256 of every request body exactly as it arrived, so tests can prove the edge passed both through unchanged.
/// </summary>
public sealed class McpOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;

    private McpOrigin(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Each tool call as the server saw it: the tool and its arguments serialized back to JSON.</summary>
    public ConcurrentQueue<(string Tool, string Arguments)> Calls { get; } = new();

    /// <summary>SHA-256 (hex) of each POST body the server received.</summary>
    public ConcurrentQueue<string> BodyHashes { get; } = new();

    public static async Task<McpOrigin> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        McpOrigin? self = null;
        var tools = new[]
        {
            McpServerTool.Create((string text) => { self!.Calls.Enqueue(("echo", JsonSerializer.Serialize(new { text }))); return text; }, new() { Name = "echo" }),
            McpServerTool.Create((string query, int limit) => { self!.Calls.Enqueue(("search", JsonSerializer.Serialize(new { query, limit }))); return $"{limit} results for {query}"; }, new() { Name = "search" }),
            McpServerTool.Create((string data) => { self!.Calls.Enqueue(("store", JsonSerializer.Serialize(new { data }))); return $"stored {data.Length} characters"; }, new() { Name = "store" }),
        };
        builder.Services.AddMcpServer().WithHttpTransport(o => o.Stateless = true).WithTools(tools);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                context.Request.EnableBuffering();
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[16384];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                }

                self!.BodyHashes.Enqueue(Convert.ToHexString(sha.GetHashAndReset()));
                context.Request.Body.Position = 0;
            }

            await next();
        });
        app.MapMcp("/mcp");
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new McpOrigin(app, url);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
