using System.Collections.Concurrent;
using System.Net;
using System.Text;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.ControlPlane.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Tests.Webhooks;

/// <summary>Alerts delivered to a real HTTP receiver on loopback that checks each signature.</summary>
public sealed class AlertDeliveryTests
{
    [Fact]
    public async Task Edge_behind_is_delivered_signed_and_retried_after_the_receiver_failed_once()
    {
        // :: A receiver that answers 500 to the first delivery and 200 after, recording body and headers.
        var received = new ConcurrentQueue<(string Body, string Signature, string EventId, int Answered)>();
        var calls = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var answer = Interlocked.Increment(ref calls) == 1 ? 500 : 200;
            received.Enqueue((body, context.Request.Headers[WebhookSignature.HeaderName].ToString(), context.Request.Headers["EdgeFence-Event-Id"].ToString(), answer));
            context.Response.StatusCode = answer;
        });
        await receiver.StartAsync();
        var hookUrl = receiver.Urls.First() + "/hook";

        // :: A control plane pushing to an edge that is not there: the edge stays behind.
        var deadEdge = $"http://127.0.0.1:{FreePort.Next()}";
        await using var controlPlane = await ControlPlaneHost.StartAsync([deadEdge], "--ControlPlane:AlertIntervalSeconds=1", "--ControlPlane:WebhookRetrySeconds=1", "--ControlPlane:PushWaitMilliseconds=0");
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        var siteId = site.Str("id");
        Assert.Equal(HttpStatusCode.BadRequest, (await controlPlane.PostAsync($"/v1/sites/{siteId}/webhooks", new { url = hookUrl, events = new[] { "nope" } })).Status);
        var webhook = await controlPlane.PostAsync($"/v1/sites/{siteId}/webhooks", new { url = hookUrl, events = new[] { "edge.behind" } });
        Assert.True(webhook.Status == HttpStatusCode.Created, webhook.ToString());
        var secret = webhook.Str("secret");
        var listed = await controlPlane.GetAsync($"/v1/sites/{siteId}/webhooks");
        Assert.DoesNotContain(secret, listed.Text, StringComparison.Ordinal);

        // :: The first delivery fails, the retry succeeds: two attempts of one event, both correctly signed.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (received.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await Task.Delay(2500); // a third delivery would be a bug: the event fired once and was delivered.
        var deliveries = received.ToArray();
        Assert.Equal(2, deliveries.Length);
        Assert.Equal([500, 200], deliveries.Select(d => d.Answered).ToArray());
        Assert.Equal(deliveries[0].Body, deliveries[1].Body);
        Assert.Equal(deliveries[0].EventId, deliveries[1].EventId);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var delivery in deliveries)
        {
            Assert.True(WebhookSignature.Verify(secret, delivery.Signature, Encoding.UTF8.GetBytes(delivery.Body), now, TimeSpan.FromMinutes(5)), delivery.Signature);
            Assert.False(WebhookSignature.Verify("whsec_wrong", delivery.Signature, Encoding.UTF8.GetBytes(delivery.Body), now, TimeSpan.FromMinutes(5)));
        }

        var json = System.Text.Json.JsonDocument.Parse(deliveries[0].Body).RootElement;
        Assert.Equal("edge.behind", json.GetProperty("type").GetString());
        Assert.Equal(deliveries[0].EventId, json.GetProperty("id").GetString());
        Assert.Equal(siteId, json.GetProperty("siteId").GetString());
        Assert.Equal(deadEdge, json.GetProperty("data").GetProperty("edge").GetString()!.TrimEnd('/'));

        // :: The dashboard shows the delivery with its last status.
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(controlPlane.Url) };
        using var login = await client.PostAsync("/dashboard/login", new FormUrlEncodedContent([new("key", ControlPlaneHost.AdminKey)]));
        using var page = new HttpRequestMessage(HttpMethod.Get, "/dashboard/webhooks");
        page.Headers.Add("Cookie", login.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
        using var answer = await client.SendAsync(page);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Contains(deliveries[0].EventId, html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"state\">delivered</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>200</td>", html, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await controlPlane.DeleteAsync($"/v1/sites/{siteId}/webhooks/{webhook.Str("id")}")).Status);
    }
}
