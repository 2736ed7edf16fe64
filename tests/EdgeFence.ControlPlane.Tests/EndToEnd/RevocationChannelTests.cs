using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Channel;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace EdgeFence.ControlPlane.Tests.EndToEnd;

/// <summary>
/// The revocation channel: revocations reach edges the control plane's pushes cannot, through the signed Redis
/// stream; the outbox gets them out after a stop between commit and XADD; a forged entry changes nothing.
/// </summary>
public sealed class RevocationChannelTests
{
    /// <summary>How long a test waits for an edge to refuse before failing: a bound against hanging, not a figure.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly ITestOutputHelper _output;

    public RevocationChannelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Tokens_revoked_while_pushes_to_three_edges_fail_are_refused_at_all_three_through_the_channel()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();

        // Registered admin URLs where nothing listens: every push fails, as in a split between control plane and edges.
        var deadEdges = Enumerable.Range(0, 3).Select(_ => $"http://127.0.0.1:{FreePort.Next()}").ToArray();
        await using var controlPlane = await ControlPlaneHost.StartAsync(deadEdges, $"--ControlPlane:Redis={redis.ConnectionString}", "--ControlPlane:PushWaitMilliseconds=200");
        var demo = await Demo.CreateAsync(controlPlane, origin.Url, tokens: 10);

        // The edges pull once on start (the only way config reaches them here), then hear only the channel.
        var edges = new List<EdgeHost>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                edges.Add(await EdgeHost.StartAsync(null, EdgeArgs(controlPlane, redis, $"edge-{i}")));
            }

            foreach (var edge in edges)
            {
                foreach (var token in demo.Tokens)
                {
                    using var allowed = await edge.GetAsync("/api/hello", token.Secret);
                    Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
                }
            }

            var pulledVersion = await controlPlane.SnapshotVersionAsync();
            var samples = new List<double>();
            foreach (var token in demo.Tokens)
            {
                // Probes start with the DELETE, so a sample is the time from the API call to the refusal at that edge.
                var clock = Stopwatch.StartNew();
                var probes = edges.Select(edge => RefusedAfterAsync(edge, token.Secret, clock)).ToArray();
                var revoke = await controlPlane.DeleteAsync($"/v1/tokens/{token.Id}");
                Assert.Equal(HttpStatusCode.NoContent, revoke.Status);
                samples.AddRange(await Task.WhenAll(probes));
            }

            // The pushes really did fail: every edge still serves the snapshot it pulled.
            foreach (var edge in edges)
            {
                using var version = await edge.Admin.GetAsync("/v1/snapshot");
                Assert.Equal(pulledVersion, JsonDocument.Parse(await version.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt64());
            }

            var listed = (await controlPlane.GetAsync("/v1/edges")).Json.GetProperty("edges");
            Assert.All(listed.EnumerateArray(), e => Assert.True(e.GetProperty("consecutiveFailures").GetInt32() > 0, e.ToString()));

            samples.Sort();
            var p50 = samples[samples.Count / 2];
            var p99 = samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(samples.Count * 0.99) - 1)];
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"revocation propagation through the channel, pushes blocked: {samples.Count} samples (10 tokens x 3 edges), p50 {p50:F0} ms, p99 {p99:F0} ms, max {samples[^1]:F0} ms"));
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Revocation_committed_while_redis_is_down_waits_in_the_outbox_and_reaches_the_edge_after_a_control_plane_restart()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        await using var controlPlane = await ControlPlaneHost.StartAsync([$"http://127.0.0.1:{FreePort.Next()}"], $"--ControlPlane:Redis={redis.ConnectionString}", "--ControlPlane:PushWaitMilliseconds=200");
        var demo = await Demo.CreateAsync(controlPlane, origin.Url, tokens: 1);
        await using var edge = await EdgeHost.StartAsync(null, EdgeArgs(controlPlane, redis, "edge-a"));
        var token = demo.Tokens[0];

        // Redis gone, the revocation commits: its channel entry stays in the outbox, and the control plane stops
        // (as if it crashed) before Redis ever had it.
        await redis.StopAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await controlPlane.DeleteAsync($"/v1/tokens/{token.Id}")).Status);
        await controlPlane.StopAsync();
        Assert.Equal(1, DatabaseFile.Count(controlPlane.DatabasePath, "channel_outbox"));

        await redis.RestartAsync();
        using (var stillAllowed = await edge.GetAsync("/api/hello", token.Secret))
        {
            // Nothing told the edge yet: no push got through and the stream is empty.
            Assert.Equal(HttpStatusCode.OK, stillAllowed.StatusCode);
        }

        // The restarted control plane drains its outbox into the stream; the edge reads it there.
        await controlPlane.RestartAsync();
        await RefusedAfterAsync(edge, token.Secret, Stopwatch.StartNew());
        Assert.Equal(0, DatabaseFile.Count(controlPlane.DatabasePath, "channel_outbox"));

        // A restarted edge keeps refusing: it learned the revocation only from the channel, and resumes from its state file.
        await edge.RestartAsync(null, EdgeArgs(controlPlane, redis, "edge-a", pull: false));
        using var afterRestart = await edge.GetAsync("/api/hello", token.Secret);
        Assert.Equal(HttpStatusCode.Forbidden, afterRestart.StatusCode);
    }

    [Fact]
    public async Task Deposit_made_while_wallet_pushes_fail_reaches_the_edge_through_the_channel_and_is_spent_once()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        await using var controlPlane = await ControlPlaneHost.StartAsync([$"http://127.0.0.1:{FreePort.Next()}"], $"--ControlPlane:Redis={redis.ConnectionString}", "--ControlPlane:PushWaitMilliseconds=200");
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Paid API", slug = "paid", originUrl = origin.Url, hosts = new[] { TestSnapshot.SiteHost } });
        Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
        var siteId = site.Str("id");
        var resource = await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/api/*", price = 0.0025m });
        Assert.True(resource.Status == HttpStatusCode.Created, resource.ToString());
        var plan = await controlPlane.PostAsync($"/v1/sites/{siteId}/plans", """{"name":"Prepaid","billing":"prepaid"}""");
        Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
        var token = await controlPlane.PostAsync($"/v1/sites/{siteId}/tokens", new { planId = plan.Str("id"), customer = "acme" });
        Assert.True(token.Status == HttpStatusCode.Created, token.ToString());
        await using var edge = await EdgeHost.StartAsync(null, EdgeArgs(controlPlane, redis, "edge-a"));

        using (var unfunded = await edge.GetAsync("/api/hello", token.Str("token")))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, unfunded.StatusCode);
        }

        // The wallet book push fails (nothing listens where the edge is registered); the credit comes through Redis.
        await Wallets.Deposits.CreditAsync(controlPlane, "acme", siteId, 4_000, "USD", "top-up-1");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await edge.GetAsync("/api/hello", token.Str("token"));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
            Assert.True(clock.Elapsed < Deadline, "the deposit never reached the edge");
            await Task.Delay(20);
        }

        // 4,000 micro-USD credited, 2,500 a call: the second call does not fit, replayed entries or not.
        using var spent = await edge.GetAsync("/api/hello", token.Str("token"));
        Assert.Equal(HttpStatusCode.PaymentRequired, spent.StatusCode);
        Assert.Single(origin.Requests);
        using var wallets = await edge.Admin.GetAsync("/v1/wallets");
        Assert.Equal(1, JsonDocument.Parse(await wallets.Content.ReadAsStringAsync()).RootElement.GetProperty("balances").GetInt32());
    }

    [Fact]
    public async Task Forged_and_unsigned_channel_entries_are_ignored_and_counted()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        await using var controlPlane = await ControlPlaneHost.StartAsync([$"http://127.0.0.1:{FreePort.Next()}"], $"--ControlPlane:Redis={redis.ConnectionString}", "--ControlPlane:PushWaitMilliseconds=200");
        var demo = await Demo.CreateAsync(controlPlane, origin.Url, tokens: 2);
        await using var edge = await EdgeHost.StartAsync(null, EdgeArgs(controlPlane, redis, "edge-a"));
        var version = await controlPlane.SnapshotVersionAsync();

        // A Redis writer revokes token 0 with a key of its own, then without any signature.
        var forged = ChannelEntryCodec.Encode(ChannelEntry.Revoke(demo.Tokens[0].Id, version + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        using var otherKey = SnapshotSigner.LoadPrivateKeyPem(SnapshotSigner.CreateKeyPairPem().privatePem);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        await db.StreamAddAsync("edgefence:channel", [new NameValueEntry("d", forged), new NameValueEntry("s", SnapshotSigner.Sign(forged, otherKey))]);
        await db.StreamAddAsync("edgefence:channel", [new NameValueEntry("d", forged)]);

        // Then the control plane revokes token 1: once the edge refuses it, it has read past both forged entries.
        Assert.Equal(HttpStatusCode.NoContent, (await controlPlane.DeleteAsync($"/v1/tokens/{demo.Tokens[1].Id}")).Status);
        await RefusedAfterAsync(edge, demo.Tokens[1].Secret, Stopwatch.StartNew());

        using (var stillAllowed = await edge.GetAsync("/api/hello", demo.Tokens[0].Secret))
        {
            Assert.Equal(HttpStatusCode.OK, stillAllowed.StatusCode);
        }

        // At least: edges of other tests in this process report to the same meter (their entries are all genuine).
        var metrics = PrometheusText.Parse(await edge.Admin.GetStringAsync("/metrics")).Samples;
        Assert.True(metrics.Where(s => s.Name == "edgefence_channel_entries_total" && s.Labels.GetValueOrDefault("result") == "ignored").Sum(s => s.Value) >= 2);
    }

    [Fact]
    public async Task Edge_that_hears_nothing_for_longer_than_max_config_age_refuses_enforced_resources_with_503_until_a_snapshot_arrives()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var controlPlane = await ControlPlaneHost.StartAsync([$"http://127.0.0.1:{FreePort.Next()}"], "--ControlPlane:PushWaitMilliseconds=200");
        var demo = await Demo.CreateAsync(controlPlane, origin.Url, tokens: 1);

        // No Redis, so no channel and no heartbeats; the pull on start is the last word from the control plane.
        await using var edge = await EdgeHost.StartAsync(null,
        [
            $"--EdgeFence:SnapshotPublicKey={controlPlane.PublicKeyPath}",
            $"--EdgeFence:ControlPlaneUrl={controlPlane.Url}",
            $"--EdgeFence:ControlPlaneKey={ControlPlaneHost.EdgeKey}",
            "--EdgeFence:MaxConfigAgeSeconds=1",
            "--EdgeFence:StaleConfigPolicy=refuse",
        ]);

        using (var fresh = await edge.GetAsync("/api/hello", demo.Tokens[0].Secret))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        var stale = await WaitForAsync(edge, "stale");
        Assert.Equal("refuse", stale.GetProperty("stalePolicy").GetString());
        using (var refused = await edge.GetAsync("/api/hello", demo.Tokens[0].Secret))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("configuration-stale", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Unenforced paths are not the policy's business.
        using (var passthrough = await edge.GetAsync("/public/info"))
        {
            Assert.Equal(HttpStatusCode.OK, passthrough.StatusCode);
        }

        var metrics = PrometheusText.Parse(await edge.Admin.GetStringAsync("/metrics")).Samples;
        Assert.Equal(1, metrics.Single(s => s.Name == "edgefence_config_stale").Value);

        // A newer snapshot from the control plane (pushed by hand here) is word from it: fresh again.
        Assert.Equal(HttpStatusCode.Created, (await controlPlane.PostAsync($"/v1/sites/{demo.SiteId}/resources", new { pattern = "/reports/*" })).Status);
        var (bytes, signature, _) = await controlPlane.GetSnapshotAsync();
        using (var push = await edge.PushAsync(bytes, signature))
        {
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        }

        using var again = await edge.GetAsync("/api/hello", demo.Tokens[0].Secret);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    private static string[] EdgeArgs(ControlPlaneHost controlPlane, RedisServer redis, string node, bool pull = true) =>
    [
        $"--EdgeFence:SnapshotPublicKey={controlPlane.PublicKeyPath}",
        .. pull ? new[] { $"--EdgeFence:ControlPlaneUrl={controlPlane.Url}", $"--EdgeFence:ControlPlaneKey={ControlPlaneHost.EdgeKey}" } : [],
        $"--EdgeFence:Redis={redis.ConnectionString}",
        $"--EdgeFence:NodeId={node}",
        "--EdgeFence:EdgeCount=3",
    ];

    /// <summary>Requests the token at the edge until it is refused with 403; the elapsed milliseconds of <paramref name="clock"/> then.</summary>
    private static async Task<double> RefusedAfterAsync(EdgeHost edge, string token, Stopwatch clock)
    {
        while (true)
        {
            using var response = await edge.GetAsync("/api/hello", token);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                return clock.Elapsed.TotalMilliseconds;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(clock.Elapsed < Deadline, $"the edge still allows the token after {clock.ElapsedMilliseconds} ms");
            await Task.Delay(5);
        }
    }

    private static async Task<JsonElement> WaitForAsync(EdgeHost edge, string state)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var ready = JsonDocument.Parse(await edge.Admin.GetStringAsync("/readyz")).RootElement.GetProperty("config");
            if (ready.GetProperty("state").GetString() == state)
            {
                return ready;
            }

            Assert.True(clock.Elapsed < Deadline, $"/readyz config still {ready}");
            await Task.Delay(100);
        }
    }

    private sealed record IssuedToken(string Id, string Secret);

    /// <summary>A site in front of the origin, a plan of plenty, <c>/api/*</c> enforced, and tokens.</summary>
    private sealed record Demo(string SiteId, IReadOnlyList<IssuedToken> Tokens)
    {
        public static async Task<Demo> CreateAsync(ControlPlaneHost controlPlane, string originUrl, int tokens)
        {
            var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo API", slug = "demo", originUrl, hosts = new[] { TestSnapshot.SiteHost } });
            Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
            var plan = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new
            {
                name = "Plenty",
                // No limits: the tests stop and restart Redis, and a hard quota's lease would answer 429 while it resyncs.
                quota = (object?)null,
                rateLimit = (object?)null,
                price = 1m,
            });
            Assert.True(plan.Status == HttpStatusCode.Created, plan.ToString());
            Assert.Equal(HttpStatusCode.Created, (await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", new { pattern = "/api/*" })).Status);
            var issued = new List<IssuedToken>();
            for (var i = 0; i < tokens; i++)
            {
                var token = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/tokens", new { planId = plan.Str("id"), customer = $"customer-{i}" });
                Assert.True(token.Status == HttpStatusCode.Created, token.ToString());
                issued.Add(new IssuedToken(token.Str("id"), token.Str("token")));
            }

            return new Demo(site.Str("id"), issued);
        }
    }
}
