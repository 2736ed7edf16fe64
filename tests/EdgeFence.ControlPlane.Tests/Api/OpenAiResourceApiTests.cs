using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;

namespace EdgeFence.ControlPlane.Tests.Api;

/// <summary>OpenAI resources declared through the API: prices in currency units per 1K tokens reach the snapshot in micros; bad settings are 400s naming the field.</summary>
public sealed class OpenAiResourceApiTests
{
    [Fact]
    public async Task An_openai_resource_reaches_the_snapshot_and_bad_settings_are_refused_naming_the_field()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = (await controlPlane.PostAsync("/v1/sites", new { name = "Models", slug = "models", originUrl = "http://127.0.0.1:9" })).Str("id");

        var created = await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new
        {
            pattern = "/v1/chat/completions", kind = "openai", cost = 1,
            openAiPrices = new[] { new { model = "gpt-4o-mini", inputPer1K = 0.00015m, outputPer1K = 0.0006m } },
            openAiDefaultMaxTokens = 256, openAiUserHeader = "X-App-User", openAiBalanceAsMessage = true,
            openAiOriginUsageHeader = "X-Origin-Usage",
        });
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        Assert.Equal("openai", created.Str("kind"));

        var bad = await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new
        {
            pattern = "/v1/other", kind = "openai", openAiPrices = new[] { new { model = "has space", inputPer1K = -1m, outputPer1K = 5000m } }, openAiDefaultMaxTokens = 0, openAiUserHeader = "bad header",
            openAiOriginUsageHeader = "bad: header",
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        foreach (var field in new[] { "openAiPrices[0].model", "openAiPrices[0].inputPer1K", "openAiPrices[0].outputPer1K", "openAiDefaultMaxTokens", "openAiUserHeader", "openAiOriginUsageHeader" })
        {
            Assert.True(bad.ToString().Contains(field, StringComparison.Ordinal), bad.ToString());
        }

        var plain = await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/api", openAiBalanceAsMessage = true, openAiOriginUsageHeader = "X-Origin-Usage" });
        Assert.Equal(HttpStatusCode.BadRequest, plain.Status);
        Assert.Contains("openAiBalanceAsMessage", plain.ToString(), StringComparison.Ordinal);
        Assert.Contains("openAiOriginUsageHeader", plain.ToString(), StringComparison.Ordinal);

        var snapshot = SnapshotSerializer.Deserialize((await controlPlane.GetSnapshotAsync()).Bytes);
        var chat = Assert.Single(snapshot.Resources, r => r.Kind == ResourceKind.OpenAi);
        Assert.Equal([new OpenAiModelPrice("gpt-4o-mini", 150, 600)], chat.OpenAiPrices);
        Assert.Equal(256, chat.OpenAiDefaultMaxTokens);
        Assert.Equal("X-App-User", chat.OpenAiUserHeader);
        Assert.True(chat.OpenAiBalanceAsMessage);
        Assert.Equal("X-Origin-Usage", chat.OpenAiOriginUsageHeader);
        Assert.Equal("X-Origin-Usage", created.Str("openAiOriginUsageHeader"));
    }
}
