using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Prices;

/// <summary>Prices set through the API, enforced by a real edge that took the control plane's snapshot.</summary>
public sealed class PrepaidAtTheEdgeTests
{
    [Fact]
    public async Task Call_on_a_prepaid_plan_with_no_balance_gets_402_with_the_top_up_link_and_a_funded_one_is_charged_the_plan_price()
    {
        await using var stack = await TestStack.StartAsync();
        var site = await stack.ControlPlane.PostAsync("/v1/sites", new
        {
            name = "Demo API",
            slug = "demo",
            originUrl = stack.Origin.Url,
            hosts = new[] { TestSnapshot.SiteHost },
            topUpUrl = PriceTerms.TopUpUrl,
            x402 = PriceTerms.X402(),
        });
        Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
        var siteId = site.Str("id");
        var resource = await stack.ControlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/api/*", price = 0.01m, payment = "token-or-x402" });
        Assert.True(resource.Status == HttpStatusCode.Created, resource.ToString());
        var plan = await stack.ControlPlane.PostAsync($"/v1/sites/{siteId}/plans", $$$"""{"name":"Prepaid","billing":"prepaid","resourcePrices":{"{{{resource.Str("id")}}}":0.0025}}""");
        Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
        var token = await stack.ControlPlane.PostAsync($"/v1/sites/{siteId}/tokens", new { planId = plan.Str("id"), customer = "acme co" });
        Assert.True(token.Status == HttpStatusCode.Created, token.ToString());

        // :: No wallet book yet: the balance is 0, so the plan's price (not the resource's) does not fit.
        using (var refused = await stack.Edge.GetAsync("/api/hello", token.Str("token")))
        {
            var text = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.PaymentRequired, $"{refused.StatusCode} {text}");
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal("urn:edgefence:problem:insufficient-balance", problem.GetProperty("type").GetString());
            Assert.Equal(0, problem.GetProperty("balanceMicros").GetInt64());
            Assert.Equal(2_500, problem.GetProperty("priceMicros").GetInt64());
            Assert.Equal("USD", problem.GetProperty("currency").GetString());
            const string link = "https://pay.example/top-up?customer=acme%20co";
            Assert.Equal(link, problem.GetProperty("topUpUrl").GetString());
            Assert.Equal($"<{link}>; rel=\"payment\"", refused.Headers.GetValues("Link").Single());
        }

        Assert.Empty(stack.Origin.Requests);

        // :: A deposit through the control plane's API: the wallet book reaches the edge before it answers; one call fits.
        await Wallets.Deposits.CreditAsync(stack.ControlPlane, "acme co", siteId, 4_000, "USD", "top-up-1");

        using (var allowed = await stack.Edge.GetAsync("/api/hello", token.Str("token")))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        Assert.Equal("2500 USD", stack.Origin.Last.Header(RequestSigner.ChargedHeader));
        using (var empty = await stack.Edge.GetAsync("/api/hello", token.Str("token")))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, empty.StatusCode);
        }

        Assert.Single(stack.Origin.Requests);
    }
}
