using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Prices;

/// <summary>Every bad price, currency, payment, billing, top-up link or x402 term is a 400 naming the field, and writes nothing.</summary>
public sealed class PriceValidationTests
{
    [Theory]
    [InlineData("""{"pattern":"/p","price":-0.01}""", "price")]
    [InlineData("""{"pattern":"/p","price":0.0000001}""", "price")]
    [InlineData("""{"pattern":"/p","price":1000000000.000001}""", "price")]
    [InlineData("""{"pattern":"/p","price":79228162514264337593543950335}""", "price")]
    [InlineData("""{"pattern":"/p","price":"free"}""", "price")]
    [InlineData("""{"pattern":"/p","price":1,"currency":"XYZ"}""", "currency")]
    [InlineData("""{"pattern":"/p","price":1,"currency":"dollars"}""", "currency")]
    [InlineData("""{"pattern":"/p","price":1,"payment":"card"}""", "payment")]
    [InlineData("""{"pattern":"/p","price":1,"payment":"x402"}""", "payment")]
    [InlineData("""{"pattern":"/p","price":1,"payment":"token-or-x402"}""", "payment")]
    [InlineData("""{"pattern":"/p","price":1,"currency":"EUR"}""", "currency")]
    public async Task Bad_resource_price_gets_400_naming_the_field(string body, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });

        // A prepaid plan in USD over every resource: a resource priced in EUR could never be debited.
        Assert.Equal(HttpStatusCode.Created, (await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "Prepaid", billing = "prepaid" })).Status);
        var version = await controlPlane.SnapshotVersionAsync();

        var response = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", body);

        AssertProblemNames(response, field);
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
        Assert.Empty((await controlPlane.GetAsync($"/v1/sites/{site.Str("id")}/resources")).Json.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"pattern":"/p","price":0.5,"payment":"x402"}""", "price")]
    [InlineData("""{"pattern":"/p","price":0,"payment":"x402"}""", "price")]
    [InlineData("""{"pattern":"/p","price":1,"currency":"EUR","payment":"x402"}""", "currency")]
    public async Task Resource_whose_price_x402_cannot_pay_exactly_gets_400_naming_the_field(string body, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();

        // A token with no decimals: half a unit has no exact amount on chain.
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9", x402 = PriceTerms.X402(decimals: 0) });
        Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
        var version = await controlPlane.SnapshotVersionAsync();

        var response = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", body);

        AssertProblemNames(response, field);
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
    }

    [Theory]
    [InlineData("""{"name":"P","billing":"postpaid"}""", "billing")]
    [InlineData("""{"name":"P","price":2000000000}""", "price")]
    [InlineData("""{"name":"P","currency":"ABC"}""", "currency")]
    [InlineData("""{"name":"P","resourcePrices":{"res_nope":1}}""", "resourcePrices.res_nope")]
    [InlineData("""{"name":"P","resourcePrices":{"OTHER":1}}""", "resourcePrices.OTHER")]
    [InlineData("""{"name":"P","resourcePrices":{"MINE":-1}}""", "resourcePrices.MINE")]
    [InlineData("""{"name":"P","resourcePrices":{"MINE":0.0000001}}""", "resourcePrices.MINE")]
    [InlineData("""{"name":"P","resourcePrices":{"MINE":1000000001}}""", "resourcePrices.MINE")]
    [InlineData("""{"name":"P","resourcePrices":{"MINE":null}}""", "resourcePrices.MINE")]
    [InlineData("""{"name":"P","resourcePrices":["MINE"]}""", "resourcePrices")]
    [InlineData("""{"name":"P","billing":"prepaid","currency":"EUR"}""", "currency")]
    public async Task Bad_plan_billing_or_own_price_gets_400_naming_the_field(string body, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        var mine = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", new { pattern = "/api/*", price = 0.01m });
        var other = await controlPlane.PostAsync("/v1/sites", new { name = "Other", slug = "other", originUrl = "http://127.0.0.1:9" });
        var theirs = await controlPlane.PostAsync($"/v1/sites/{other.Str("id")}/resources", new { pattern = "/api/*" });
        body = body.Replace("MINE", mine.Str("id"), StringComparison.Ordinal).Replace("OTHER", theirs.Str("id"), StringComparison.Ordinal);
        field = field.Replace("MINE", mine.Str("id"), StringComparison.Ordinal).Replace("OTHER", theirs.Str("id"), StringComparison.Ordinal);
        var version = await controlPlane.SnapshotVersionAsync();

        var response = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", body);

        AssertProblemNames(response, field);
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
        Assert.Empty((await controlPlane.GetAsync($"/v1/sites/{site.Str("id")}/plans")).Json.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("topUpUrl", "ftp://pay.example/{customer}", "topUpUrl")]
    [InlineData("topUpUrl", "/top-up", "topUpUrl")]
    [InlineData("topUpUrl", "", "topUpUrl")]
    [InlineData("topUpUrl", "https://user:pw@pay.example/", "topUpUrl")]
    [InlineData("facilitatorUrl", "not a url", "x402.facilitatorUrl")]
    [InlineData("facilitatorUrl", null, "x402.facilitatorUrl")]
    [InlineData("network", "base", "x402.network")]
    [InlineData("asset", "0x1234", "x402.asset")]
    [InlineData("asset", "0x036CbD53842c5426634e7929541eC2318f3dCF7g", "x402.asset")]
    [InlineData("payTo", "alice.eth", "x402.payTo")]
    [InlineData("payTo", null, "x402.payTo")]
    [InlineData("assetName", "USD\u00a0Coin", "x402.assetName")]
    [InlineData("assetVersion", "", "x402.assetVersion")]
    [InlineData("assetDecimals", 19, "x402.assetDecimals")]
    [InlineData("currency", "XYZ", "x402.currency")]
    [InlineData("maxTimeoutSeconds", 0, "x402.maxTimeoutSeconds")]
    [InlineData("maxTimeoutSeconds", 86400, "x402.maxTimeoutSeconds")]
    [InlineData("extra", "x", "x402.extra")]
    public async Task Bad_top_up_link_or_x402_term_gets_400_naming_the_field_on_create_and_update(string member, object? value, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var existing = await controlPlane.PostAsync("/v1/sites", new { name = "Existing", slug = "existing", originUrl = "http://127.0.0.1:9" });
        var version = await controlPlane.SnapshotVersionAsync();
        var terms = JsonSerializer.SerializeToNode(PriceTerms.X402(), JsonSerializerOptions.Web)!.AsObject();
        var site = new System.Text.Json.Nodes.JsonObject { ["name"] = "Demo", ["slug"] = "demo", ["originUrl"] = "http://127.0.0.1:9" };
        var patch = new System.Text.Json.Nodes.JsonObject();
        var node = JsonSerializer.SerializeToNode(value);
        if (member == "topUpUrl")
        {
            site["topUpUrl"] = node;
            patch["topUpUrl"] = node?.DeepClone();
        }
        else
        {
            terms[member] = node;
            site["x402"] = terms;
            patch["x402"] = terms.DeepClone();
        }

        var created = await controlPlane.PostAsync("/v1/sites", site.ToJsonString());
        var updated = await controlPlane.PatchAsync($"/v1/sites/{existing.Str("id")}", patch.ToJsonString());

        AssertProblemNames(created, field);
        AssertProblemNames(updated, field);
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
        Assert.Single((await controlPlane.GetAsync("/v1/sites")).Json.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, (await controlPlane.GetAsync($"/v1/sites/{existing.Str("id")}")).Json.GetProperty("x402").ValueKind);
    }

    [Fact]
    public async Task X402_terms_cannot_be_removed_or_changed_under_a_resource_that_takes_x402()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = (await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9", x402 = PriceTerms.X402() })).Str("id");
        var resource = await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/paid", price = 0.5m, payment = "x402" });
        Assert.True(resource.Status == HttpStatusCode.Created, resource.ToString());
        var version = await controlPlane.SnapshotVersionAsync();

        var removed = await controlPlane.PatchAsync($"/v1/sites/{siteId}", """{"x402":null}""");
        var euro = JsonSerializer.SerializeToNode(PriceTerms.X402(), JsonSerializerOptions.Web)!.AsObject();
        euro["currency"] = "EUR";
        var otherCurrency = await controlPlane.PatchAsync($"/v1/sites/{siteId}", new System.Text.Json.Nodes.JsonObject { ["x402"] = euro }.ToJsonString());
        var noDecimals = await controlPlane.PatchAsync($"/v1/sites/{siteId}", new { x402 = PriceTerms.X402(decimals: 0) });

        AssertProblemNames(removed, "x402");
        AssertProblemNames(otherCurrency, "x402.currency");
        AssertProblemNames(noDecimals, "x402.assetDecimals");
        Assert.Contains(resource.Str("id"), removed.Text, StringComparison.Ordinal);
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
        Assert.Equal(6, (await controlPlane.GetAsync($"/v1/sites/{siteId}")).Json.GetProperty("x402").GetProperty("assetDecimals").GetInt32());
    }

    private static void AssertProblemNames(ApiResponse response, string field)
    {
        Assert.True(response.Status == HttpStatusCode.BadRequest, response.ToString());
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(field, response.Str("field"));
        Assert.Contains(field, response.ProblemFields());
    }
}
