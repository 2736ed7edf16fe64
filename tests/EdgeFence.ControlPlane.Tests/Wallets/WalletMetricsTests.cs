using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.ControlPlane.Tests.Telemetry;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Wallets;

[Collection(MetricsCollection.Name)]
public sealed class WalletMetricsTests
{
    [Fact]
    public async Task Deposits_are_counted_by_currency_replays_are_not_and_failed_wallet_pushes_are_counted()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync([$"http://127.0.0.1:{FreePort.Next()}"], "--ControlPlane:PushWaitMilliseconds=200");
        var siteId = await Deposits.CreateSiteAsync(controlPlane);
        await Deposits.CreditAsync(controlPlane, "acme", siteId, 100, "USD", "1");
        await Deposits.CreditAsync(controlPlane, "acme", siteId, 100, "USD", "1");
        await Deposits.CreditAsync(controlPlane, "acme", siteId, 100, "EUR", "2");

        var scrape = await controlPlane.SendAsync(HttpMethod.Get, "/metrics", null, bearer: null);

        Assert.Equal(HttpStatusCode.OK, scrape.Status);
        var (samples, _) = PrometheusText.Parse(scrape.Text);
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "edgefence_controlplane_deposits_total" && s.Labels.GetValueOrDefault("currency") == "USD").Value);
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "edgefence_controlplane_deposits_total" && s.Labels.GetValueOrDefault("currency") == "EUR").Value);
        Assert.True(Assert.Single(samples, s => s.Name == "edgefence_controlplane_wallet_push_failures_total").Value >= 1);
    }
}
