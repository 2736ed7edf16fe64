using System.Net;
using System.Net.Http.Headers;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary>
/// The demo's path through the local Stripe API (src/EdgeFence.DemoStripe): a webhook endpoint created through its
/// API, the customer paying on the session's checkout page, the webhook provisioning, the claim giving a token.
/// </summary>
public sealed class CheckoutPageTests
{
    [Fact]
    public async Task Paying_on_the_checkout_page_sends_the_webhook_that_provisions_and_redirects_to_success()
    {
        await using var stack = await BillingStack.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        // The webhook endpoint as an owner creates it in Stripe: its answer carries the signing secret.
        using var create = new HttpRequestMessage(HttpMethod.Post, stack.Stripe.Url + "/v1/webhook_endpoints")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["url"] = stack.ControlPlane.Url + "/v1/stripe/webhooks/" + stack.SiteId }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", stack.Stripe.ApiKey);
        using var endpoint = await http.SendAsync(create);
        Assert.Equal(HttpStatusCode.OK, endpoint.StatusCode);
        Assert.Contains(stack.Stripe.WebhookSecret, await endpoint.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var checkout = await stack.CheckoutAsync(stack.StarterPlanId);
        var page = await http.GetStringAsync(checkout.Str("url"));
        Assert.Contains("<form method=post>", page, StringComparison.Ordinal);
        using var paid = await http.PostAsync(checkout.Str("url"), null);

        Assert.Equal(HttpStatusCode.SeeOther, paid.StatusCode);
        Assert.Equal($"https://api.example.com/welcome?session={checkout.Str("sessionId")}", paid.Headers.Location?.ToString());
        Assert.NotNull(stack.Scalar($"SELECT token_id FROM stripe_subscriptions WHERE checkout_id = '{checkout.Str("checkoutId")}'"));
        var claimed = await stack.ClaimAsync(checkout.Str("claimUrl"));
        Assert.True(claimed.Status == HttpStatusCode.OK, claimed.ToString());
        Assert.StartsWith("ef_", claimed.Str("token"), StringComparison.Ordinal);

        // Paying twice does not provision twice.
        using var again = await http.PostAsync(checkout.Str("url"), null);
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.Equal("1", stack.Scalar("SELECT COUNT(*) FROM stripe_subscriptions"));
    }
}
