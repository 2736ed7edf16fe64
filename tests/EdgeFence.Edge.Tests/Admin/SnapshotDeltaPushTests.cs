using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Admin;

/// <summary><c>PUT /v1/snapshot/delta</c> on a real edge: what a delta changes, and everything it must refuse.</summary>
public sealed partial class SnapshotDeltaPushTests
{
    private const string NewToken = "tok-new-0001";

    [Fact]
    public async Task Delta_changes_exactly_its_tokens_and_untouched_tokens_keep_their_counters()
    {
        await using var env = await TestEnvironment.StartAsync();
        using (var first = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic))
        {
            Assert.Equal(4, QuotaRemaining(first));
        }

        using (var second = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic))
        {
            Assert.Equal(3, QuotaRemaining(second));
        }

        Assert.Equal(HttpStatusCode.OK, (await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic2)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Soft)).StatusCode);
        var (version, hash, tokens) = await env.Edge.ServedStateAsync();

        // Basic2 revoked, a new token added, Soft removed; Basic untouched.
        var delta = Delta(version, hash, 2, [Token("t-basic2", "plan-basic", "globex", TestSnapshot.Basic2, revoked: true), Token("t-new", "plan-basic", "newco", NewToken)], [TokenHasher.Hash(TestSnapshot.Soft)]);
        using var push = await env.Edge.PushDeltaAsync(delta);

        Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        using (var answer = JsonDocument.Parse(await push.Content.ReadAsStringAsync()))
        {
            Assert.Equal(2, answer.RootElement.GetProperty("version").GetInt64());
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic2)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.GetAsync("/api/v1/items", NewToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Soft)).StatusCode);
        using (var third = await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic))
        {
            Assert.Equal(HttpStatusCode.OK, third.StatusCode);
            Assert.Equal(2, QuotaRemaining(third));
        }

        var served = await env.Edge.ServedStateAsync();
        Assert.Equal(2, served.Version);
        Assert.Equal(tokens, served.Tokens);
        Assert.Equal(StateHash.Of(SnapshotSerializer.Serialize(delta)), served.StateHash);
    }

    [Fact]
    public async Task Delta_on_another_base_version_gets_409_needs_full_snapshot_and_changes_nothing()
    {
        await using var env = await TestEnvironment.StartAsync();
        var (version, hash, _) = await env.Edge.ServedStateAsync();
        using var push = await env.Edge.PushDeltaAsync(Delta(version + 1, hash, version + 2, [Token("t-basic2", "plan-basic", "globex", TestSnapshot.Basic2, revoked: true)], []));

        await AssertProblem(push, HttpStatusCode.Conflict, "delta-needs-full-snapshot", version);
        await AssertUnchanged(env, version, hash);
    }

    [Fact]
    public async Task Delta_on_the_right_version_but_another_state_hash_gets_409_needs_full_snapshot_and_changes_nothing()
    {
        await using var env = await TestEnvironment.StartAsync();
        var (version, hash, _) = await env.Edge.ServedStateAsync();
        var otherHash = (byte[])hash.Clone();
        otherHash[0] ^= 1;
        using var push = await env.Edge.PushDeltaAsync(Delta(version, otherHash, version + 1, [Token("t-basic2", "plan-basic", "globex", TestSnapshot.Basic2, revoked: true)], []));

        await AssertProblem(push, HttpStatusCode.Conflict, "delta-needs-full-snapshot", version);
        await AssertUnchanged(env, version, hash);
    }

    [Fact]
    public async Task Delta_not_newer_than_the_serving_version_gets_409_stale()
    {
        await using var env = await TestEnvironment.StartAsync();
        var (version, hash, _) = await env.Edge.ServedStateAsync();
        using var push = await env.Edge.PushDeltaAsync(Delta(version - 1 == 0 ? 1 : version - 1, hash, version, [Token("t-basic2", "plan-basic", "globex", TestSnapshot.Basic2, revoked: true)], []));

        await AssertProblem(push, HttpStatusCode.Conflict, "delta-stale", version);
        await AssertUnchanged(env, version, hash);
    }

    [Theory]
    [InlineData("other-key")]
    [InlineData("unsigned")]
    [InlineData("truncated")]
    [InlineData("trailing-bytes")]
    [InlineData("a-snapshot")]
    [InlineData("unknown-plan")]
    [InlineData("plan-of-another-site")]
    [InlineData("changed-and-removed")]
    public async Task Bad_delta_gets_400_and_changes_nothing(string flaw)
    {
        await using var env = await TestEnvironment.StartAsync();
        var (version, hash, _) = await env.Edge.ServedStateAsync();
        var revokeBasic2 = Token("t-basic2", "plan-basic", "globex", TestSnapshot.Basic2, revoked: true);
        var bytes = SnapshotSerializer.Serialize(flaw switch
        {
            "unknown-plan" => Delta(version, hash, version + 1, [Token("t-x", "plan-gone", "x", NewToken)], []),
            "plan-of-another-site" => Delta(version, hash, version + 1, [Token("t-x", "plan-other", "x", NewToken)], []),
            "changed-and-removed" => Delta(version, hash, version + 1, [revokeBasic2], [TokenHasher.Hash(TestSnapshot.Basic2)]),
            _ => Delta(version, hash, version + 1, [revokeBasic2], []),
        });
        byte[]? signature = env.Edge.Sign(bytes);
        switch (flaw)
        {
            case "other-key":
                var (otherPrivate, _) = SnapshotSigner.CreateKeyPairPem();
                using (var otherKey = SnapshotSigner.LoadPrivateKeyPem(otherPrivate))
                {
                    signature = SnapshotSigner.Sign(bytes, otherKey);
                }

                break;
            case "unsigned":
                signature = null;
                break;
            case "truncated":
                bytes = bytes[..^5];
                signature = env.Edge.Sign(bytes);
                break;
            case "trailing-bytes":
                bytes = [.. bytes, 0xc0];
                signature = env.Edge.Sign(bytes);
                break;
            case "a-snapshot":
                bytes = SnapshotSerializer.Serialize(TestSnapshot.Create(env.Origin.Url, version: version + 1));
                signature = env.Edge.Sign(bytes);
                break;
        }

        using var push = await env.Edge.PushDeltaAsync(bytes, signature);

        await AssertProblem(push, HttpStatusCode.BadRequest, "delta-rejected", null);
        await AssertUnchanged(env, version, hash);
    }

    [Fact]
    public async Task Delta_larger_than_the_delta_limit_gets_400_before_it_is_read_and_changes_nothing()
    {
        await using var env = await TestEnvironment.StartAsync();
        var (version, hash, _) = await env.Edge.ServedStateAsync();
        var huge = new byte[(32 * 1024 * 1024) + 1];

        // Expect: 100-continue lets the edge answer from the Content-Length alone, before a byte of the body is sent
        // (without it the client may still be writing when the edge closes the connection).
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/snapshot/delta") { Content = new ByteArrayContent(huge) };
        request.Headers.ExpectContinue = true;
        using var push = await env.Edge.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, push.StatusCode);
        Assert.Contains("larger than", await push.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertUnchanged(env, version, hash);
    }

    [Fact]
    public async Task Restart_after_deltas_comes_back_at_the_last_delta_and_takes_the_next_one()
    {
        await using var env = await TestEnvironment.StartAsync();
        var (version, hash, _) = await env.Edge.ServedStateAsync();
        var first = Delta(version, hash, 2, [Token("t-basic2", "plan-basic", "globex", TestSnapshot.Basic2, revoked: true)], []);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.PushDeltaAsync(first)).StatusCode);
        var second = Delta(2, StateHash.Of(SnapshotSerializer.Serialize(first)), 3, [Token("t-new", "plan-basic", "newco", NewToken)], [TokenHasher.Hash(TestSnapshot.Soft)]);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.PushDeltaAsync(second)).StatusCode);
        var before = await env.Edge.ServedStateAsync();

        await env.Edge.RestartAsync(Path.Combine(env.Edge.DataDir, "initial.msgpack"));

        var after = await env.Edge.ServedStateAsync();
        Assert.Equal(3, after.Version);
        Assert.Equal(before.StateHash, after.StateHash);
        Assert.Equal(HttpStatusCode.Forbidden, (await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic2)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.GetAsync("/api/v1/items", NewToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Soft)).StatusCode);

        var third = Delta(3, after.StateHash, 4, [Token("t-new", "plan-basic", "newco", NewToken, revoked: true)], []);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.PushDeltaAsync(third)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await env.Edge.GetAsync("/api/v1/items", NewToken)).StatusCode);
        await env.Edge.RestartAsync();
        Assert.Equal(4, (await env.Edge.ServedStateAsync()).Version);
    }

    [Fact]
    public async Task Torn_tail_of_the_delta_log_is_cut_at_start_and_the_next_delta_persists()
    {
        await using var env = await TestEnvironment.StartAsync();
        var (version, hash, _) = await env.Edge.ServedStateAsync();
        var first = Delta(version, hash, 2, [Token("t-basic2", "plan-basic", "globex", TestSnapshot.Basic2, revoked: true)], []);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.PushDeltaAsync(first)).StatusCode);
        await env.Edge.StopAsync();
        var log = Path.Combine(env.Edge.DataDir, "snapshot.deltas");
        var good = new FileInfo(log).Length;
        await File.AppendAllTextAsync(log, "EFD1 torn");

        await env.Edge.RestartAsync();

        Assert.Equal(2, (await env.Edge.ServedStateAsync()).Version);
        Assert.Equal(good, new FileInfo(log).Length);
        var second = Delta(2, StateHash.Of(SnapshotSerializer.Serialize(first)), 3, [Token("t-new", "plan-basic", "newco", NewToken)], []);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.PushDeltaAsync(second)).StatusCode);
        await env.Edge.RestartAsync();
        Assert.Equal(3, (await env.Edge.ServedStateAsync()).Version);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.GetAsync("/api/v1/items", NewToken)).StatusCode);
    }

    [Fact]
    public async Task Full_snapshot_after_deltas_replaces_them_and_a_delta_chains_to_the_state_hash_it_declares()
    {
        await using var env = await TestEnvironment.StartAsync();
        var (version, hash, _) = await env.Edge.ServedStateAsync();
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.PushDeltaAsync(Delta(version, hash, 2, [Token("t-new", "plan-basic", "newco", NewToken)], []))).StatusCode);

        // What the control plane sends an edge that fell behind: the full state of version 5, declaring the hash the
        // delta that produced version 5 had, so the delta to 6 applies here as at an edge that followed every delta.
        var declared = StateHash.Of("the delta that made version 5"u8);
        var full = TestSnapshot.Create(env.Origin.Url, version: 5);
        var v5 = new Snapshot { Version = 5, Sites = full.Sites, Plans = full.Plans, Resources = full.Resources, Tokens = full.Tokens, StateHash = declared };
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.PushAsync(v5)).StatusCode);
        Assert.False(File.Exists(Path.Combine(env.Edge.DataDir, "snapshot.deltas")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await env.Edge.GetAsync("/api/v1/items", NewToken)).StatusCode);
        Assert.Equal(declared, (await env.Edge.ServedStateAsync()).StateHash);

        Assert.Equal(HttpStatusCode.OK, (await env.Edge.PushDeltaAsync(Delta(5, declared, 6, [Token("t-basic", "plan-basic", "acme", TestSnapshot.Basic, revoked: true)], []))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic)).StatusCode);
        await env.Edge.RestartAsync();
        Assert.Equal(6, (await env.Edge.ServedStateAsync()).Version);
        Assert.Equal(HttpStatusCode.Forbidden, (await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic)).StatusCode);
    }

    internal static SnapshotDelta Delta(long baseVersion, byte[] baseHash, long version, TokenRecord[] tokens, byte[][] removed)
        => new() { BaseVersion = baseVersion, BaseStateHash = baseHash, Version = version, Tokens = tokens, RemovedTokenHashes = removed };

    internal static TokenRecord Token(string id, string plan, string customer, string token, bool revoked = false)
        => new() { Id = id, SiteId = "demo", PlanId = plan, Customer = customer, Hash = TokenHasher.Hash(token), Revoked = revoked };

    private static int QuotaRemaining(HttpResponseMessage response)
        => int.Parse(QuotaPattern().Match(response.Headers.GetValues("RateLimit").Single()).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task AssertProblem(HttpResponseMessage push, HttpStatusCode status, string problem, long? currentVersion)
    {
        var body = await push.Content.ReadAsStringAsync();
        Assert.True(push.StatusCode == status, $"{push.StatusCode}: {body}");
        Assert.Equal("application/problem+json", push.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("urn:edgefence:problem:" + problem, json.RootElement.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("detail").GetString()));
        if (currentVersion is { } v)
        {
            Assert.Equal(v, json.RootElement.GetProperty("currentVersion").GetInt64());
        }
    }

    private static async Task AssertUnchanged(TestEnvironment env, long version, byte[] hash)
    {
        var served = await env.Edge.ServedStateAsync();
        Assert.Equal(version, served.Version);
        Assert.Equal(hash, served.StateHash);
        Assert.Equal(HttpStatusCode.OK, (await env.Edge.GetAsync("/api/v1/items", TestSnapshot.Basic2)).StatusCode);
        Assert.False(File.Exists(Path.Combine(env.Edge.DataDir, "snapshot.deltas")));
    }

    [GeneratedRegex("\"quota\";r=(\\d+)")]
    private static partial Regex QuotaPattern();
}
