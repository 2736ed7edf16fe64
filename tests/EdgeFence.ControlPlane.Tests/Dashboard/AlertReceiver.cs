using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using EdgeFence.ControlPlane.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Tests.Dashboard;

/// <summary>A real HTTP receiver of alert deliveries on loopback: answers 200 and keeps each body with its signature.</summary>
internal sealed class AlertReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Body, string Signature)> _received = new();

    private AlertReceiver(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/alerts";

    public static async Task<AlertReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new AlertReceiver(builder.Build());
        receiver._app.MapPost("/alerts", async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            receiver._received.Enqueue((await reader.ReadToEndAsync(), context.Request.Headers[WebhookSignature.HeaderName].ToString()));
            context.Response.StatusCode = 200;
        });
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>Waits for <paramref name="count"/> deliveries; each must carry a valid signature under <paramref name="secret"/>.</summary>
    public async Task<JsonElement[]> WaitForAsync(int count, string secret)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_received.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var all = _received.ToArray();
        Assert.Equal(count, all.Length);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(all, d => Assert.True(WebhookSignature.Verify(secret, d.Signature, Encoding.UTF8.GetBytes(d.Body), now, TimeSpan.FromMinutes(5)), d.Signature));
        return [.. all.Select(d => JsonDocument.Parse(d.Body).RootElement)];
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
