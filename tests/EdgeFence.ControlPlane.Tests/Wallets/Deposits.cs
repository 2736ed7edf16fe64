using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Wallets;

/// <summary>Small steps the wallet tests share: a site to credit, and a deposit request.</summary>
internal static class Deposits
{
    public static async Task<string> CreateSiteAsync(ControlPlaneHost controlPlane, string slug = "a")
    {
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Site " + slug, slug, originUrl = "http://127.0.0.1:9" });
        Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
        return site.Str("id");
    }

    public static Task<ApiResponse> PostAsync(ControlPlaneHost controlPlane, string customer, string siteId, long amountMicros, string currency, string key)
        => controlPlane.PostAsync($"/v1/customers/{Uri.EscapeDataString(customer)}/deposits", new { siteId, amountMicros, currency, idempotencyKey = key });

    public static async Task<ApiResponse> CreditAsync(ControlPlaneHost controlPlane, string customer, string siteId, long amountMicros, string currency, string key)
    {
        var response = await PostAsync(controlPlane, customer, siteId, amountMicros, currency, key);
        Assert.True(response.Status == HttpStatusCode.Created, response.ToString());
        return response;
    }
}
