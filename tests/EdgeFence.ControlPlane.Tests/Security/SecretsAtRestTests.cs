using System.Net;
using System.Text;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Security;

namespace EdgeFence.ControlPlane.Tests.Security;

/// <summary>
/// Tokens and origin keys exist in clear only in the one answer that issued them. This searches every place
/// they could leak to: the SQLite file (with its WAL), every line the control plane logged, the snapshot
/// bytes, and what the edge keeps on disk.
/// </summary>
public sealed class SecretsAtRestTests
{
    [Fact]
    public async Task Tokens_and_origin_keys_never_appear_in_clear_in_the_database_logs_or_snapshots()
    {
        await using var stack = await TestStack.StartAsync();
        var demo = await stack.CreateDemoAsync();
        var rotated = await stack.ControlPlane.PostAsync($"/v1/tokens/{demo.TokenId}/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        var second = await stack.ControlPlane.PostAsync($"/v1/sites/{demo.SiteId}/tokens", new { planId = demo.PlanId, customer = "globex" });
        foreach (var token in new[] { demo.Token, rotated.Str("token"), second.Str("token") })
        {
            using var response = await stack.Edge.GetAsync("/api/hello", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await stack.ControlPlane.DeleteAsync($"/v1/tokens/{second.Str("id")}");
        var secrets = new[] { demo.Token, rotated.Str("token"), second.Str("token"), demo.OriginKey };
        var (snapshot, _, _) = await stack.ControlPlane.GetSnapshotAsync();
        var database = DatabaseFile.AllBytes(stack.ControlPlane.DatabasePath);
        var logs = Encoding.UTF8.GetBytes(stack.ControlPlane.Logs.All);
        await stack.Edge.StopAsync();
        var edgeFiles = Directory.EnumerateFiles(stack.Edge.DataDir, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(edgeFiles, f => f.EndsWith("snapshot.bin", StringComparison.Ordinal));
        Assert.Contains(edgeFiles, f => f.Contains("decisions", StringComparison.Ordinal));

        foreach (var secret in secrets)
        {
            Assert.False(Contains(database, secret), "a secret is in the database file");
            Assert.False(Contains(logs, secret), "a secret is in the control plane's log");
            Assert.False(Contains(snapshot, secret), "a secret is in the snapshot");
            foreach (var file in edgeFiles)
            {
                Assert.False(Contains(await File.ReadAllBytesAsync(file), secret), $"a secret is in the edge's {Path.GetFileName(file)}");
            }
        }

        // The searches can find what is there: the hashes are in the snapshot and the database, the HMAC
        // secret (stored because the edges need it) in the database, and the log is not empty.
        foreach (var token in secrets[..3])
        {
            Assert.True(Contains(snapshot, TokenHasher.Hash(token)), "the token's hash is in the snapshot");
            Assert.True(Contains(database, TokenHasher.Hash(token)), "the token's hash is in the database");
        }

        Assert.True(Contains(database, Encoding.UTF8.GetBytes(demo.HmacSecret)), "the HMAC secret is in the database");
        Assert.False(Contains(logs, demo.HmacSecret), "the HMAC secret is in the control plane's log");
        Assert.Contains(demo.TokenId, stack.ControlPlane.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Site_secrets_and_static_header_values_are_shown_at_creation_only()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var created = await controlPlane.PostAsync("/v1/sites", new
        {
            name = "A",
            slug = "a",
            originUrl = "http://127.0.0.1:9",
            staticHeaders = new Dictionary<string, string> { ["X-Origin-Key"] = "origin-private-value" },
        });
        Assert.Equal(43, created.Str("hmacSecret").Length);
        Assert.StartsWith("efo_", created.Str("originKey"), StringComparison.Ordinal);

        foreach (var later in new[] { await controlPlane.GetAsync($"/v1/sites/{created.Str("id")}"), await controlPlane.GetAsync("/v1/sites") })
        {
            Assert.Equal(HttpStatusCode.OK, later.Status);
            Assert.DoesNotContain(created.Str("hmacSecret"), later.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(created.Str("originKey"), later.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("origin-private-value", later.Text, StringComparison.Ordinal);
            Assert.Contains("X-Origin-Key", later.Text, StringComparison.Ordinal);
        }
    }

    private static bool Contains(byte[] haystack, string needle) => Contains(haystack, Encoding.UTF8.GetBytes(needle));

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
