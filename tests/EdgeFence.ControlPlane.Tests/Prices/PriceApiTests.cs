using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;

namespace EdgeFence.ControlPlane.Tests.Prices;

/// <summary>Prices, prepaid billing, top-up links and x402 terms set through the API: in its answers and in the signed snapshot.</summary>
public sealed class PriceApiTests
{
    [Fact]
    public async Task Priced_resource_prepaid_plan_and_site_terms_are_in_the_answers_and_the_snapshot()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9", topUpUrl = PriceTerms.TopUpUrl, x402 = PriceTerms.X402() });
        Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
        var siteId = site.Str("id");
        Assert.Equal(PriceTerms.TopUpUrl, site.Str("topUpUrl"));
        Assert.Equal(PriceTerms.PayTo, site.Json.GetProperty("x402").GetProperty("payTo").GetString());

        var resource = await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/api/*", price = 0.01m, currency = "usd", payment = "token-or-x402" });
        Assert.True(resource.Status == HttpStatusCode.Created, resource.ToString());
        var resourceId = resource.Str("id");
        Assert.Equal(0.01m, resource.Json.GetProperty("price").GetDecimal());
        Assert.Equal("USD", resource.Str("currency"));
        Assert.Equal("token-or-x402", resource.Str("payment"));

        var plan = await controlPlane.PostAsync($"/v1/sites/{siteId}/plans", $$$"""{"name":"Pay as you go","billing":"prepaid","resourcePrices":{"{{{resourceId}}}":0.0025}}""");
        Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
        Assert.Equal("prepaid", plan.Str("billing"));
        Assert.Equal(0.0025m, plan.Json.GetProperty("resourcePrices").GetProperty(resourceId).GetDecimal());

        // Read back, not only as created.
        var read = await controlPlane.GetAsync($"/v1/sites/{siteId}");
        Assert.Equal(120, read.Json.GetProperty("x402").GetProperty("maxTimeoutSeconds").GetInt32());
        Assert.Equal("token-or-x402", (await controlPlane.GetAsync($"/v1/resources/{resourceId}")).Str("payment"));
        Assert.Equal(0.0025m, (await controlPlane.GetAsync($"/v1/plans/{plan.Str("id")}")).Json.GetProperty("resourcePrices").GetProperty(resourceId).GetDecimal());

        var snapshot = SnapshotSerializer.Deserialize((await controlPlane.GetSnapshotAsync()).Bytes);
        var siteModel = Assert.Single(snapshot.Sites);
        Assert.Equal(PriceTerms.TopUpUrl, siteModel.TopUpUrl);
        Assert.NotNull(siteModel.X402);
        Assert.Equal("eip155:31337", siteModel.X402.Network);
        Assert.Equal(PriceTerms.Asset, siteModel.X402.Asset);
        Assert.Equal("USD Coin", siteModel.X402.AssetName);
        Assert.Equal(120, siteModel.X402.MaxTimeoutSeconds);
        var resourceModel = Assert.Single(snapshot.Resources);
        Assert.Equal(10_000, resourceModel.PriceMicros);
        Assert.Equal(ResourcePayment.TokenOrX402, resourceModel.Payment);
        var planModel = Assert.Single(snapshot.Plans);
        Assert.Equal(PlanBilling.Prepaid, planModel.Billing);
        Assert.Equal([new ResourcePrice(resourceId, 2_500)], planModel.ResourcePrices);
    }

    [Fact]
    public async Task Fields_left_out_read_as_free_paid_by_token_on_a_subscription()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        var resource = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", new { pattern = "/api/*" });
        var plan = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "Free" });

        Assert.Equal(JsonValueKind.Null, site.Json.GetProperty("topUpUrl").ValueKind);
        Assert.Equal(JsonValueKind.Null, site.Json.GetProperty("x402").ValueKind);
        Assert.Equal(0m, resource.Json.GetProperty("price").GetDecimal());
        Assert.Equal("USD", resource.Str("currency"));
        Assert.Equal("token", resource.Str("payment"));
        Assert.Equal("subscription", plan.Str("billing"));
        Assert.Empty(plan.Json.GetProperty("resourcePrices").EnumerateObject());
    }

    [Fact]
    public async Task New_own_prices_make_a_new_revision_and_the_same_ones_again_do_not()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        var resourceId = (await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", new { pattern = "/api/*", price = 0.01m })).Str("id");
        var planId = (await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "P" })).Str("id");
        var body = $$$"""{"billing":"prepaid","resourcePrices":{"{{{resourceId}}}":0.002}}""";

        var changed = await controlPlane.PatchAsync($"/v1/plans/{planId}", body);
        var version = await controlPlane.SnapshotVersionAsync();
        var same = await controlPlane.PatchAsync($"/v1/plans/{planId}", body);

        Assert.True(changed.Status == HttpStatusCode.OK, changed.ToString());
        Assert.Equal(2, changed.Json.GetProperty("revision").GetInt64());
        Assert.Equal("prepaid", changed.Str("billing"));
        Assert.Equal(2, same.Json.GetProperty("revision").GetInt64());
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());

        // null removes the own prices (a new revision again); revision 1 keeps none, revision 2 keeps its own.
        var cleared = await controlPlane.PatchAsync($"/v1/plans/{planId}", """{"resourcePrices":null}""");
        Assert.Equal(3, cleared.Json.GetProperty("revision").GetInt64());
        Assert.Empty(cleared.Json.GetProperty("resourcePrices").EnumerateObject());
        Assert.Equal("prepaid", cleared.Str("billing"));
    }

    [Fact]
    public async Task Site_update_sets_and_removes_the_top_up_link_and_x402_terms_and_keeps_them_when_left_out()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = (await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" })).Str("id");

        var set = await controlPlane.PatchAsync($"/v1/sites/{siteId}", new { topUpUrl = PriceTerms.TopUpUrl, x402 = PriceTerms.X402() });
        var kept = await controlPlane.PatchAsync($"/v1/sites/{siteId}", new { name = "Renamed" });
        var removed = await controlPlane.PatchAsync($"/v1/sites/{siteId}", """{"topUpUrl":null,"x402":null}""");

        Assert.True(set.Status == HttpStatusCode.OK, set.ToString());
        Assert.Equal(PriceTerms.TopUpUrl, kept.Str("topUpUrl"));
        Assert.Equal("eip155:31337", kept.Json.GetProperty("x402").GetProperty("network").GetString());
        Assert.True(removed.Status == HttpStatusCode.OK, removed.ToString());
        Assert.Equal(JsonValueKind.Null, removed.Json.GetProperty("topUpUrl").ValueKind);
        Assert.Equal(JsonValueKind.Null, removed.Json.GetProperty("x402").ValueKind);
        var snapshotSite = Assert.Single(SnapshotSerializer.Deserialize((await controlPlane.GetSnapshotAsync()).Bytes).Sites);
        Assert.Null(snapshotSite.TopUpUrl);
        Assert.Null(snapshotSite.X402);
    }

    [Fact]
    public async Task Deleting_a_resource_a_plan_prices_takes_its_price_with_it()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        var resourceId = (await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", new { pattern = "/api/*", price = 0.01m })).Str("id");
        var planId = (await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", $$$"""{"name":"P","resourcePrices":{"{{{resourceId}}}":0.002}}""")).Str("id");

        var deleted = await controlPlane.DeleteAsync($"/v1/resources/{resourceId}");

        Assert.True(deleted.Status == HttpStatusCode.NoContent, deleted.ToString());
        Assert.Empty((await controlPlane.GetAsync($"/v1/plans/{planId}")).Json.GetProperty("resourcePrices").EnumerateObject());
        Assert.Empty(Assert.Single(SnapshotSerializer.Deserialize((await controlPlane.GetSnapshotAsync()).Bytes).Plans).ResourcePrices);
    }
}
