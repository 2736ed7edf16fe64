using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Tests.Payments.X402;

/// <summary>
/// A real Kestrel on loopback answering /verify and /settle as told: the misbehaving facilitators
/// (garbage, errors, silence) the reference one cannot be made to be. Records every body it gets.
/// </summary>
internal sealed class ScriptedFacilitator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedFacilitator(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/";

    public Func<HttpContext, Task> Verify { get; set; } = Json("{\"isValid\":true,\"payer\":\"0x62141F40b5D871977712FC8D28E5B08d9fAD0B21\"}");

    public Func<HttpContext, Task> Settle { get; set; } = Json("{\"success\":true,\"payer\":\"0x62141F40b5D871977712FC8D28E5B08d9fAD0B21\",\"transaction\":\"0xabc\",\"network\":\"eip155:84532\"}");

    public ConcurrentQueue<(string Path, string Body)> Calls { get; } = new();

    public static async Task<ScriptedFacilitator> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var facilitator = new ScriptedFacilitator(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            facilitator.Calls.Enqueue((context.Request.Path.Value!, await reader.ReadToEndAsync()));
            await (context.Request.Path.Value == "/settle" ? facilitator.Settle : facilitator.Verify)(context);
        });
        await app.StartAsync();
        return facilitator;
    }

    public static Func<HttpContext, Task> Json(string body, int status = 200) => context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    };

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
