using System.Net;
using EdgeFence.ControlPlane.Tests.Dashboard;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.ControlPlane.Webhooks;

namespace EdgeFence.ControlPlane.Tests.Webhooks;

/// <summary><c>traffic.spike</c>: judged from the edges' rollups, delivered to a real receiver checking the signature.</summary>
public sealed class TrafficSpikeTests
{
    private const long Minute = 60_000;

    [Theory]
    [InlineData(10, 1000, true)]   // 100 times the baseline
    [InlineData(10, 50, false)]    // 5 times exactly is not more than 5 times
    [InlineData(10, 51, false)]    // more than 5 times, but under the 100-request minimum
    [InlineData(20, 101, true)]
    [InlineData(0, 100, true)]     // a site's first busy minute: nothing before it
    [InlineData(0, 99, false)]
    [InlineData(1000, 4999, false)] // steady heavy traffic
    public void A_minute_is_a_spike_only_when_above_both_the_factor_and_the_minimum(long baselinePerMinute, long requests, bool spike)
    {
        var rule = new TrafficSpikeRule(Factor: 5, MinRequests: 100);
        var minutes = Enumerable.Repeat(baselinePerMinute, TrafficSpikeRule.BaselineMinutes).Append(requests).ToArray();
        var judged = rule.Judge(minutes);
        Assert.Equal(spike, judged is not null);
        if (spike)
        {
            Assert.Equal(baselinePerMinute, judged!.Value, 6);
        }

        Assert.Throws<ArgumentException>(() => rule.Judge(minutes[1..]));
    }

    [Fact]
    public async Task A_spiking_site_alerts_once_and_steady_or_quiet_sites_do_not()
    {
        await using var receiver = await AlertReceiver.StartAsync();

        // :: Three sites subscribed to traffic.spike.
        await using var controlPlane = await ControlPlaneHost.StartAsync(null, "--ControlPlane:AlertIntervalSeconds=1");
        var sites = new Dictionary<string, (string Id, string Secret)>();
        foreach (var name in new[] { "spiky", "steady", "quiet" })
        {
            var site = await controlPlane.PostAsync("/v1/sites", new { name, slug = name, originUrl = "http://127.0.0.1:9" });
            Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
            var webhook = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/webhooks", new { url = receiver.Url, events = new[] { "traffic.spike" } });
            Assert.True(webhook.Status == HttpStatusCode.Created, webhook.ToString());
            sites[name] = (site.Str("id"), webhook.Str("secret"));
        }

        // :: An hour of rollups as edges ship them: spiky 10/min then 1,000; steady 1,000 throughout; quiet 0 then 99.
        var lastComplete = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / Minute * Minute) - Minute;
        var rows = new List<object>();
        for (var i = TrafficSpikeRule.BaselineMinutes; i >= 0; i--)
        {
            var minute = lastComplete - (i * Minute);
            rows.Add(Row(sites["spiky"].Id, minute, i == 0 ? 1000 : 10));
            rows.Add(Row(sites["steady"].Id, minute, 1000));
            if (i == 0)
            {
                rows.Add(Row(sites["quiet"].Id, minute, 99));
            }
        }

        var ingest = await controlPlane.SendAsync(HttpMethod.Post, "/v1/analytics/rollups", new { edge = "edge-x", batch = "spike-1", rows }, bearer: ControlPlaneHost.EdgeKey);
        Assert.True(ingest.Status == HttpStatusCode.OK, ingest.ToString());

        // :: One alert, for the spiky site, signed with its subscription's secret; later passes add none.
        await receiver.WaitForAsync(1, sites["spiky"].Secret);
        await Task.Delay(3000);
        var json = Assert.Single(await receiver.WaitForAsync(1, sites["spiky"].Secret));
        Assert.Equal("traffic.spike", json.GetProperty("type").GetString());
        Assert.Equal(sites["spiky"].Id, json.GetProperty("siteId").GetString());
        var data = json.GetProperty("data");
        Assert.Equal(1000, data.GetProperty("requests").GetInt64());
        Assert.Equal(10, data.GetProperty("baselinePerMinute").GetDouble());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(lastComplete), data.GetProperty("minute").GetDateTimeOffset());
        Assert.Equal(5, data.GetProperty("factor").GetDouble());
        Assert.Equal(100, data.GetProperty("minRequests").GetInt64());
    }

    private static object Row(string site, long minute, long requests) =>
        new { minute, site, plan = "", resource = "/api/*", token = "", customer = "", decision = "passthrough", reason = "free", currency = "", requests, units = 0, chargedMicros = 0 };
}
