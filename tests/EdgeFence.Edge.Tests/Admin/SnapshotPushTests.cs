using System.Net;
using System.Text.Json;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Admin;

public sealed class SnapshotPushTests
{
    [Fact]
    public async Task Newer_signed_snapshot_is_applied_and_takes_effect()
    {
        await using var env = await TestEnvironment.StartAsync();
        var v2 = TestSnapshot.Create(env.Origin.Url, version: 2, tokens => tokens.RemoveAll(t => t.Id == "t-basic"));
        using var push = await env.Edge.PushAsync(v2);

        Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        using var gone = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
        Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
        using var info = await env.Edge.Admin.GetAsync("/v1/snapshot");
        using var json = JsonDocument.Parse(await info.Content.ReadAsStringAsync());
        Assert.Equal(2, json.RootElement.GetProperty("version").GetInt64());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task Same_or_older_version_gets_409_and_the_current_snapshot_keeps_serving(long version)
    {
        await using var env = await TestEnvironment.StartAsync();
        var old = TestSnapshot.Create(env.Origin.Url, version: Math.Max(version, 1), tokens => tokens.Clear());
        var bytes = SnapshotSerializer.Serialize(old);
        using var push = await env.Edge.PushAsync(bytes, env.Edge.Sign(bytes));

        Assert.Equal(HttpStatusCode.Conflict, push.StatusCode);
        Assert.Equal("application/problem+json", push.Content.Headers.ContentType?.MediaType);
        await AssertStillServing(env);
    }

    [Fact]
    public async Task Snapshot_signed_by_another_key_gets_400()
    {
        await using var env = await TestEnvironment.StartAsync();
        var (otherPrivate, _) = SnapshotSigner.CreateKeyPairPem();
        using var otherKey = SnapshotSigner.LoadPrivateKeyPem(otherPrivate);
        var bytes = SnapshotSerializer.Serialize(TestSnapshot.Create(env.Origin.Url, version: 5, tokens => tokens.Clear()));
        using var push = await env.Edge.PushAsync(bytes, SnapshotSigner.Sign(bytes, otherKey));

        await AssertRejected(push, "signature");
        await AssertStillServing(env);
    }

    [Fact]
    public async Task Unsigned_snapshot_gets_400_when_a_key_is_configured()
    {
        await using var env = await TestEnvironment.StartAsync();
        var bytes = SnapshotSerializer.Serialize(TestSnapshot.Create(env.Origin.Url, version: 5, tokens => tokens.Clear()));
        using var push = await env.Edge.PushAsync(bytes, signature: null);

        await AssertRejected(push, "unsigned");
        await AssertStillServing(env);
    }

    [Fact]
    public async Task Truncated_snapshot_gets_400_even_when_correctly_signed()
    {
        await using var env = await TestEnvironment.StartAsync();
        var bytes = SnapshotSerializer.Serialize(TestSnapshot.Create(env.Origin.Url, version: 5));
        var truncated = bytes[..(bytes.Length / 2)];
        using var push = await env.Edge.PushAsync(truncated, env.Edge.Sign(truncated));

        await AssertRejected(push, "corrupt");
        await AssertStillServing(env);
    }

    [Fact]
    public async Task Garbage_body_gets_400()
    {
        await using var env = await TestEnvironment.StartAsync();
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        using var push = await env.Edge.PushAsync(garbage, env.Edge.Sign(garbage));

        await AssertRejected(push, "corrupt");
        await AssertStillServing(env);
    }

    [Fact]
    public async Task Snapshot_referencing_a_missing_plan_gets_400_naming_the_field()
    {
        await using var env = await TestEnvironment.StartAsync();
        var broken = TestSnapshot.Create(env.Origin.Url, version: 5, tokens => tokens.Add(new TokenRecord
        {
            Id = "t-broken", SiteId = "demo", PlanId = "plan-missing", Customer = "x", Hash = TokenHasher.Hash("tok-broken"),
        }));
        using var push = await env.Edge.PushAsync(broken);

        await AssertRejected(push, "invalid");
        using var json = JsonDocument.Parse(await push.Content.ReadAsStringAsync());
        var errors = json.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("tokens[9].planId: unknown plan 'plan-missing'", errors);
        await AssertStillServing(env);
    }

    [Fact]
    public async Task Accepted_snapshot_survives_a_restart_without_the_initial_file()
    {
        await using var env = await TestEnvironment.StartAsync();
        using var push = await env.Edge.PushAsync(TestSnapshot.Create(env.Origin.Url, version: 7));
        Assert.Equal(HttpStatusCode.OK, push.StatusCode);

        await env.Edge.RestartAsync(snapshotPath: null);
        using var info = await env.Edge.Admin.GetAsync("/v1/snapshot");
        using var json = JsonDocument.Parse(await info.Content.ReadAsStringAsync());
        Assert.Equal(7, json.RootElement.GetProperty("version").GetInt64());
        await AssertStillServing(env);
        var persisted = await File.ReadAllBytesAsync(Path.Combine(env.Edge.DataDir, "snapshot.bin"));
        Assert.Equal(-1, persisted.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(TestSnapshot.Basic)));
    }

    [Fact]
    public async Task Edge_without_snapshot_answers_503_and_is_not_ready()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var edge = await EdgeHost.StartAsync(snapshot: null);
        using var response = await edge.GetAsync("/api/v1/items", TestSnapshot.Basic);
        await Proxy.ProxyTests.AssertProblem(response, HttpStatusCode.ServiceUnavailable, "no-configuration");
        using var ready = await edge.Admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);

        using var push = await edge.PushAsync(TestSnapshot.Create(origin.Url));
        Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        using var readyAfter = await edge.Admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, readyAfter.StatusCode);
    }

    private static async Task AssertRejected(HttpResponseMessage push, string detailContains)
    {
        Assert.Equal(HttpStatusCode.BadRequest, push.StatusCode);
        Assert.Equal("application/problem+json", push.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await push.Content.ReadAsStringAsync());
        Assert.Contains(detailContains, json.RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    private static async Task AssertStillServing(TestEnvironment env)
    {
        using var response = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Unlimited);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
