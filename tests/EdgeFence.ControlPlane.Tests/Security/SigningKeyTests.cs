using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;

namespace EdgeFence.ControlPlane.Tests.Security;

public sealed class SigningKeyTests
{
    [Fact]
    public async Task Signing_key_is_generated_on_first_start_with_its_public_half_beside_it_and_kept_after()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(controlPlane.SigningKeyPath), StringComparison.Ordinal);
        var publicPem = await File.ReadAllTextAsync(controlPlane.PublicKeyPath);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(controlPlane.SigningKeyPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(controlPlane.DatabasePath));
        }

        var first = await controlPlane.GetSnapshotAsync();
        await controlPlane.RestartAsync();
        var second = await controlPlane.GetSnapshotAsync();

        Assert.Equal(publicPem, await File.ReadAllTextAsync(controlPlane.PublicKeyPath));
        Assert.Equal(first.Version, second.Version);
        using var publicKey = SnapshotSigner.LoadPublicKeyPem(publicPem);
        Assert.True(SnapshotSigner.Verify(second.Bytes, second.Signature, publicKey));
    }

    [Fact]
    public async Task Every_change_issues_a_new_signed_version_and_a_change_that_changes_nothing_does_not()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        using var publicKey = SnapshotSigner.LoadPublicKeyPem(await File.ReadAllTextAsync(controlPlane.PublicKeyPath));
        Assert.Equal(1, await controlPlane.SnapshotVersionAsync());

        var site = await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });
        var plan = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "P" });
        var token = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/tokens", new { planId = plan.Str("id"), customer = "c" });
        await controlPlane.DeleteAsync($"/v1/tokens/{token.Str("id")}");
        var afterRevoke = await controlPlane.GetSnapshotAsync();
        await controlPlane.DeleteAsync($"/v1/tokens/{token.Str("id")}");
        await controlPlane.PatchAsync($"/v1/plans/{plan.Str("id")}", new { name = "P" });

        Assert.Equal(5, afterRevoke.Version);
        Assert.Equal(5, await controlPlane.SnapshotVersionAsync());
        Assert.True(SnapshotSigner.Verify(afterRevoke.Bytes, afterRevoke.Signature, publicKey));
        var snapshot = SnapshotSerializer.Deserialize(afterRevoke.Bytes);
        Assert.Equal(5, snapshot.Version);
        Assert.True(Assert.Single(snapshot.Tokens).Revoked);
        Assert.Equal(site.Str("id"), Assert.Single(snapshot.Sites).Id);
    }

    [Fact]
    public async Task Replaced_signing_key_reissues_the_snapshot_under_a_new_version()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        await controlPlane.PostAsync("/v1/sites", new { name = "A", slug = "a", originUrl = "http://127.0.0.1:9" });
        var before = await controlPlane.GetSnapshotAsync();
        await controlPlane.StopAsync();
        File.Delete(controlPlane.SigningKeyPath);
        File.Delete(controlPlane.PublicKeyPath);

        await controlPlane.RestartAsync();
        var after = await controlPlane.GetSnapshotAsync();

        Assert.Equal(before.Version + 1, after.Version);
        using var newKey = SnapshotSigner.LoadPublicKeyPem(await File.ReadAllTextAsync(controlPlane.PublicKeyPath));
        Assert.True(SnapshotSigner.Verify(after.Bytes, after.Signature, newKey));
        Assert.False(SnapshotSigner.Verify(before.Bytes, before.Signature, newKey));
    }
}
