using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.DemoStripe;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Billing;

/// <summary>
/// A control plane whose Stripe is the local Stripe API, with one site (at <see cref="TestSnapshot.SiteHost"/>, <c>/api/*</c>
/// enforced) and three plans: Starter (2 units, 9.99), Pro (5 units, 29.00) and Free (no price). With an edge and an origin when asked.
/// </summary>
public sealed class BillingStack : IAsyncDisposable
{
    private BillingStack(LocalStripeApi stripe, ControlPlaneHost controlPlane, TestStack? full)
    {
        Stripe = stripe;
        ControlPlane = controlPlane;
        Full = full;
    }

    public LocalStripeApi Stripe { get; }
    public ControlPlaneHost ControlPlane { get; }

    /// <summary>The edge and origin, when started with one.</summary>
    public TestStack? Full { get; }

    public string SiteId { get; private set; } = "";
    public string StarterPlanId { get; private set; } = "";
    public string ProPlanId { get; private set; } = "";
    public string FreePlanId { get; private set; } = "";

    /// <summary><paramref name="stripeApiBase"/>: where the control plane thinks Stripe is (default the local Stripe API).</summary>
    /// <paramref name="redis"/>: the edges' ledger, for the control plane (and the edge, with <paramref name="withEdge"/>);
    /// <paramref name="controlPlaneArgs"/>: more control plane settings.
    public static async Task<BillingStack> StartAsync(bool withEdge = false, bool connect = true, string? stripeApiBase = null, string? redis = null, string[]? controlPlaneArgs = null)
    {
        var stripe = await LocalStripeApi.StartAsync();
        string[] args = [$"--ControlPlane:Stripe:ApiBase={stripeApiBase ?? stripe.Url}", "--ControlPlane:Stripe:TimeoutSeconds=5", .. controlPlaneArgs ?? []];
        if (!withEdge && redis is not null)
        {
            args = [.. args, $"--ControlPlane:Redis={redis}"];
        }

        var full = withEdge ? await TestStack.StartAsync(redis: redis, controlPlaneArgs: args) : null;
        var controlPlane = full?.ControlPlane ?? await ControlPlaneHost.StartAsync(null, args);
        var stack = new BillingStack(stripe, controlPlane, full);
        await stack.CreateSiteAsync(full?.Origin.Url ?? "http://127.0.0.1:9");
        if (connect)
        {
            var connected = await stack.ConnectAsync();
            Assert.True(connected.Status == HttpStatusCode.OK, connected.ToString());
        }

        return stack;
    }

    public Task<ApiResponse> ConnectAsync(string? secretKey = null, string? webhookSecret = null) =>
        ControlPlane.SendAsync(HttpMethod.Put, $"/v1/sites/{SiteId}/stripe", new { secretKey = secretKey ?? Stripe.ApiKey, webhookSecret = webhookSecret ?? Stripe.WebhookSecret });

    public Task<ApiResponse> CheckoutAsync(string planId, string email = "ada@example.com", string? customerId = "cust-ada") =>
        ControlPlane.PostAsync($"/v1/sites/{SiteId}/checkout", new
        {
            planId,
            customer = new { email, id = customerId },
            successUrl = "https://api.example.com/welcome?session={CHECKOUT_SESSION_ID}",
            cancelUrl = "https://api.example.com/pricing",
        });

    /// <summary>A checkout the customer paid, with its <c>checkout.session.completed</c> delivered and processed.</summary>
    public async Task<PaidCheckout> PaidCheckoutAsync(string planId)
    {
        var checkout = await CheckoutAsync(planId);
        Assert.True(checkout.Status == HttpStatusCode.Created, checkout.ToString());
        var sessionId = checkout.Str("sessionId");
        var subscriptionId = Stripe.Pay(sessionId);
        var (status, body) = await Stripe.DeliverAsync(Stripe.CheckoutCompleted(sessionId));
        Assert.True(status == 200, $"{status} {body}");
        Assert.Equal("provisioned", Outcome(body));
        return new PaidCheckout(checkout.Str("checkoutId"), sessionId, subscriptionId, checkout.Str("claimUrl"));
    }

    /// <summary>Claims through the URL as a customer would: POST, no admin key.</summary>
    public async Task<ApiResponse> ClaimAsync(string claimUrl)
    {
        using var client = new HttpClient();
        using var response = await client.PostAsync(claimUrl, null);
        return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The Stripe Price the control plane recorded for a plan's current revision.</summary>
    public async Task<string> PriceIdAsync(string planId)
    {
        var state = await ControlPlane.GetAsync($"/v1/sites/{SiteId}/stripe");
        return state.Json.GetProperty("prices").EnumerateArray().Single(p => p.GetProperty("planId").GetString() == planId).GetProperty("priceId").GetString()!;
    }

    public async Task<JsonElement> TokenAsync(string tokenId) => (await ControlPlane.GetAsync($"/v1/tokens/{tokenId}")).Json;

    /// <summary>One value read straight from the control plane's database (null when no row).</summary>
    public string? Scalar(string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = ControlPlane.DatabasePath,
            Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is { } value and not DBNull ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    public string TokenIdOf(string subscriptionId) => Scalar($"SELECT token_id FROM stripe_subscriptions WHERE subscription_id = '{subscriptionId}'")!;

    public static string Outcome(string webhookAnswer) => JsonDocument.Parse(webhookAnswer).RootElement.GetProperty("outcome").GetString()!;

    public async ValueTask DisposeAsync()
    {
        if (Full is not null)
        {
            await Full.DisposeAsync();
        }
        else
        {
            await ControlPlane.DisposeAsync();
        }

        await Stripe.DisposeAsync();
    }

    private async Task CreateSiteAsync(string originUrl)
    {
        var site = await ControlPlane.PostAsync("/v1/sites", new { name = "Weather API", slug = "weather", originUrl, hosts = new[] { TestSnapshot.SiteHost } });
        Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
        SiteId = site.Str("id");
        StarterPlanId = await PlanAsync(new { name = "Starter", quota = new { units = 2, period = "month" }, price = 9.99m });
        ProPlanId = await PlanAsync(new { name = "Pro", quota = new { units = 5, period = "month" }, price = 29m });
        FreePlanId = await PlanAsync(new { name = "Free", quota = new { units = 1, period = "month" } });
        var resource = await ControlPlane.PostAsync($"/v1/sites/{SiteId}/resources", new { pattern = "/api/*" });
        Assert.True(resource.Status == HttpStatusCode.Created, resource.ToString());
        Stripe.WebhookUrl = ControlPlane.Url + "/v1/stripe/webhooks/" + SiteId;
    }

    private async Task<string> PlanAsync(object body)
    {
        var plan = await ControlPlane.PostAsync($"/v1/sites/{SiteId}/plans", body);
        Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
        return plan.Str("id");
    }
}
