using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EdgeFence.AotSmoke.Tests;

/// <summary>The published native binary, end to end: the same checks as the functional suite's core, on the real artifact.</summary>
public sealed class NativeEdgeTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "edgefence-aot", Guid.NewGuid().ToString("N"));
    private readonly System.Security.Cryptography.ECDsa _signingKey;
    private readonly string _publicKeyPath;
    private TestOrigin _origin = null!;
    private string _snapshotPath = "";

    public NativeEdgeTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_dataDir);
        var (privatePem, publicPem) = SnapshotSigner.CreateKeyPairPem();
        _signingKey = SnapshotSigner.LoadPrivateKeyPem(privatePem);
        _publicKeyPath = Path.Combine(_dataDir, "signing.pub.pem");
        File.WriteAllText(_publicKeyPath, publicPem);
    }

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync();
        _snapshotPath = Path.Combine(_dataDir, "initial.msgpack");
        var bytes = SnapshotSerializer.Serialize(TestSnapshot.Create(_origin.Url));
        await File.WriteAllBytesAsync(_snapshotPath, bytes);
        await File.WriteAllTextAsync(_snapshotPath + ".sig", Convert.ToBase64String(SnapshotSigner.Sign(bytes, _signingKey)));
    }

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        _signingKey.Dispose();
    }

    private Task<EdgeProcess> StartEdgeAsync() => EdgeProcess.StartAsync(
        Path.Combine(_dataDir, "edge"), $"--EdgeFence:SnapshotPath={_snapshotPath}", $"--EdgeFence:SnapshotPublicKey={_publicKeyPath}");

    private static HttpRequestMessage Request(HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Host = TestSnapshot.SiteHost;
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    [Fact]
    public async Task Native_edge_allows_denies_and_rate_limits()
    {
        await using var edge = await StartEdgeAsync();
        using var client = new HttpClient { BaseAddress = new Uri(edge.PublicUrl) };

        using var allowed = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", TestSnapshot.Basic));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var seen = _origin.Last;
        Assert.True(RequestSigner.Verify(TestSnapshot.HmacSecret, seen.Header(RequestSigner.SignatureHeader), DateTimeOffset.UtcNow, RequestSigner.DefaultTolerance, "GET", seen.RawTarget, "t-basic", "acme", "plan-basic", seen.Header(RequestSigner.RequestIdHeader)!));
        Assert.True(allowed.Headers.Contains("RateLimit-Policy"));

        using var passthrough = await client.SendAsync(Request(HttpMethod.Get, "/public/x", null));
        Assert.Equal(HttpStatusCode.OK, passthrough.StatusCode);

        using var missing = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", null));
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        using var revoked = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", TestSnapshot.Revoked));
        Assert.Equal(HttpStatusCode.Forbidden, revoked.StatusCode);

        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", TestSnapshot.Rate));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", TestSnapshot.Rate));
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) >= 1);

        using var authorize = new HttpRequestMessage(HttpMethod.Post, "/v1/authorize")
        {
            Content = new StringContent("{\"token\":\"" + TestSnapshot.Basic + "\",\"method\":\"GET\",\"path\":\"/api/v1/x\"}", Encoding.UTF8, "application/json"),
        };
        authorize.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestSnapshot.OriginKey);
        using var decision = await client.SendAsync(authorize);
        using var json = JsonDocument.Parse(await decision.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("allow").GetBoolean());
        Assert.Equal(3, json.RootElement.GetProperty("remaining").GetInt64());

        // The native binary exports its metrics too (OpenTelemetry's Prometheus exporter under AOT).
        using var admin = new HttpClient { BaseAddress = new Uri(edge.AdminUrl) };
        var (samples, types) = PrometheusText.Parse(await admin.GetStringAsync("/metrics"));
        Assert.Equal("counter", types["edgefence_decisions_total"]);
        // Allowed: one Basic call, three Rate calls, one authorize.
        Assert.Equal(5, samples.Single(s => s.Name == "edgefence_decisions_total" && s.Labels["site"] == "demo" && s.Labels["reason"] == "allowed").Value);
        Assert.Equal(1, samples.Single(s => s.Name == "edgefence_decisions_total" && s.Labels["reason"] == "rate-limited").Value);
        Assert.Equal(1, samples.Single(s => s.Name == "edgefence_snapshot_version").Value);

        _output.WriteLine($"start-to-listening: {edge.StartMilliseconds} ms, idle RSS after requests: {edge.RssBytes() / 1024 / 1024} MiB");
    }

    [Fact]
    public async Task Native_edge_applies_a_pushed_snapshot_and_refuses_a_stale_one()
    {
        await using var edge = await StartEdgeAsync();
        using var admin = new HttpClient { BaseAddress = new Uri(edge.AdminUrl) };
        using var client = new HttpClient { BaseAddress = new Uri(edge.PublicUrl) };

        var v2 = TestSnapshot.Create(_origin.Url, version: 2, tokens => tokens.Add(new TokenRecord { Id = "t-new", SiteId = "demo", PlanId = "plan-basic", Customer = "newco", Hash = TokenHasher.Hash("tok-new-0001") }));
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(admin, v2)).StatusCode);
        using var ok = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", "tok-new-0001"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        Assert.Equal(HttpStatusCode.Conflict, (await PushAsync(admin, TestSnapshot.Create(_origin.Url, version: 1))).StatusCode);
        var corrupt = new byte[] { 0x93, 0x01, 0x02 };
        using var bad = new HttpRequestMessage(HttpMethod.Put, "/v1/snapshot") { Content = new ByteArrayContent(corrupt) };
        bad.Headers.TryAddWithoutValidation(SnapshotSigner.HeaderName, Convert.ToBase64String(SnapshotSigner.Sign(corrupt, _signingKey)));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync(bad)).StatusCode);

        using var still = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", "tok-new-0001"));
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task One_GiB_upload_streams_through_with_exact_bytes_and_flat_memory()
    {
        await using var edge = await StartEdgeAsync();
        using var client = new HttpClient { BaseAddress = new Uri(edge.PublicUrl), Timeout = TimeSpan.FromMinutes(5) };

        // Warm up the forwarding path (pools, buffers) before taking the baseline.
        for (var i = 0; i < 5; i++)
        {
            using var warm = Request(HttpMethod.Post, "/api/v1/upload", TestSnapshot.Unlimited);
            warm.Content = new UploadContent(4 * 1024 * 1024);
            using var w = await client.SendAsync(warm);
            Assert.Equal(HttpStatusCode.OK, w.StatusCode);
        }

        var baseline = edge.RssBytes();
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, edge.RssBytes());
                await Task.Delay(20);
            }
        });

        using var upload = Request(HttpMethod.Post, "/api/v1/upload", TestSnapshot.Unlimited);
        var content = new UploadContent(1L << 30);
        upload.Content = content;
        using var response = await client.SendAsync(upload);
        await sampling.CancelAsync();
        await sampler;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _origin.Last;
        Assert.Equal(1L << 30, seen.BodyBytes);
        Assert.Equal(content.Sha256Hex(), seen.BodySha256);
        var growthMiB = (peak - baseline) / 1024.0 / 1024.0;
        _output.WriteLine($"1 GiB upload: baseline RSS {baseline / 1024 / 1024} MiB, peak {peak / 1024 / 1024} MiB, growth {growthMiB:F1} MiB");
        Assert.True(growthMiB < 16, $"edge RSS grew by {growthMiB:F1} MiB while streaming 1 GiB");
    }

    [Fact]
    public async Task Graceful_stop_checkpoints_counts_and_restart_keeps_them()
    {
        var edge = await StartEdgeAsync();
        using (var client = new HttpClient { BaseAddress = new Uri(edge.PublicUrl) })
        {
            for (var i = 0; i < 5; i++)
            {
                using var ok = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", TestSnapshot.Basic));
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }
        }

        Assert.Equal(0, await edge.StopGracefullyAsync());
        await edge.DisposeAsync();

        await using var restarted = await StartEdgeAsync();
        using var again = new HttpClient { BaseAddress = new Uri(restarted.PublicUrl) };
        using var denied = await again.SendAsync(Request(HttpMethod.Get, "/api/v1/items", TestSnapshot.Basic));
        Assert.Equal((HttpStatusCode)429, denied.StatusCode);
    }

    [Fact]
    public async Task Native_edge_shares_a_hard_quota_through_redis_and_pushes_its_count()
    {
        await using var redis = await RedisServer.StartAsync();
        var edge = await EdgeProcess.StartAsync(Path.Combine(_dataDir, "edge-redis"), $"--EdgeFence:SnapshotPath={_snapshotPath}", $"--EdgeFence:SnapshotPublicKey={_publicKeyPath}", $"--EdgeFence:Redis={redis.ConnectionString}", "--EdgeFence:LeaseTimeoutMs=2000");
        using (var client = new HttpClient { BaseAddress = new Uri(edge.PublicUrl) })
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 7; i++)
            {
                using var response = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", TestSnapshot.Basic));
                statuses.Add(response.StatusCode);
            }

            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), (HttpStatusCode)429, (HttpStatusCode)429], statuses);
        }

        Assert.Equal(0, await edge.StopGracefullyAsync());
        await edge.DisposeAsync();

        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = new List<StackExchange.Redis.RedisKey>();
        await foreach (var key in connection.GetServer(redis.ConnectionString).KeysAsync(pattern: "ef:{demo:t-basic}:q:*"))
        {
            keys.Add(key);
        }

        var ledger = await connection.GetDatabase().HashGetAllAsync(Assert.Single(keys));
        Assert.Equal(5, (long)ledger.Single(f => f.Name == "u:aot-smoke").Value);
        Assert.Equal(5, (long)ledger.Single(f => f.Name == "g").Value);
    }

    [Fact]
    public async Task Edge_killed_mid_load_restarts_without_double_counting_and_the_loss_window_is_measured()
    {
        await using var redis = await RedisServer.StartAsync();
        var snapshot = TestSnapshot.Create(_origin.Url, 1, tokens => tokens.Add(new TokenRecord { Id = "t-big", SiteId = "demo", PlanId = "plan-big", Customer = "bigco", Hash = TokenHasher.Hash("tok-big-0001") }));
        snapshot = new Snapshot { Version = 1, Sites = snapshot.Sites, Resources = snapshot.Resources, Tokens = snapshot.Tokens, Plans = [.. snapshot.Plans, new Plan { Id = "plan-big", SiteId = "demo", Name = "Big", QuotaUnits = 1_000_000 }] };
        var path = Path.Combine(_dataDir, "big.msgpack");
        var bytes = SnapshotSerializer.Serialize(snapshot);
        await File.WriteAllBytesAsync(path, bytes);
        await File.WriteAllTextAsync(path + ".sig", Convert.ToBase64String(SnapshotSigner.Sign(bytes, _signingKey)));
        string[] args = [$"--EdgeFence:SnapshotPath={path}", $"--EdgeFence:SnapshotPublicKey={_publicKeyPath}", $"--EdgeFence:Redis={redis.ConnectionString}", "--EdgeFence:LeaseTimeoutMs=2000"];
        var dataDir = Path.Combine(_dataDir, "edge-kill");

        async Task<(long Admitted, TimeSpan Took)> DriveAsync(EdgeProcess edge, int requests)
        {
            using var client = new HttpClient { BaseAddress = new Uri(edge.PublicUrl) };
            long admitted = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                for (var i = 0; i < requests / 4; i++)
                {
                    using var response = await client.SendAsync(Request(HttpMethod.Get, "/api/v1/items", "tok-big-0001"));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Interlocked.Increment(ref admitted);
                }
            }));
            return (admitted, clock.Elapsed);
        }

        var first = await EdgeProcess.StartAsync(dataDir, args);
        var (before, took) = await DriveAsync(first, 2000);
        await first.DisposeAsync(); // SIGKILL: no drain, no final push, no final checkpoint

        await using var second = await EdgeProcess.StartAsync(dataDir, args);
        var (after, _) = await DriveAsync(second, 400);
        Assert.Equal(0, await second.StopGracefullyAsync());

        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        long ledger = 0;
        await foreach (var key in connection.GetServer(redis.ConnectionString).KeysAsync(pattern: "ef:{demo:t-big}:q:*"))
        {
            ledger += (long)await connection.GetDatabase().HashGetAsync(key, "u:aot-smoke");
        }

        var lost = before + after - ledger;
        var rate = before / took.TotalSeconds;
        _output.WriteLine($"SIGKILL after {before} admitted at {rate:F0} req/s, then {after} more: ledger {ledger}, lost {lost} ({lost / rate * 1000:F0} ms of traffic)");
        Assert.True(lost >= 0, $"the ledger counts {ledger} but only {before + after} were admitted: double counting");
        Assert.True(ledger >= after, "the restarted edge's own admissions must all be in the ledger");
    }

    [Theory]
    [InlineData("--EdgeFence:Urls=not-a-url", "EdgeFence:Urls")]
    [InlineData("--EdgeFence:CheckpointIntervalSeconds=nope", "EdgeFence:CheckpointIntervalSeconds")]
    [InlineData("--EdgeFence:SnapshotPublicKey=/missing.pem", "EdgeFence:SnapshotPublicKey")]
    public async Task Bad_configuration_exits_2_with_one_line_naming_the_key(string arg, string key)
    {
        using var process = EdgeProcess.Launch(["--EdgeFence:AdminUrls=http://127.0.0.1:0", $"--EdgeFence:DataDir={_dataDir}/cfg", arg]);
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("edgefence-edge: configuration error: " + key, lines[0], StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PushAsync(HttpClient admin, Snapshot snapshot)
    {
        var bytes = SnapshotSerializer.Serialize(snapshot);
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/snapshot") { Content = new ByteArrayContent(bytes) };
        request.Headers.TryAddWithoutValidation(SnapshotSigner.HeaderName, Convert.ToBase64String(SnapshotSigner.Sign(bytes, _signingKey)));
        return await admin.SendAsync(request);
    }
}
