using System.Security.Cryptography;
using EdgeFence.ControlPlane.Billing;

namespace EdgeFence.ControlPlane.Tests.Billing;

public sealed class StripeSecretBoxTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "edgefence-box-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_sealed_secret_opens_only_with_its_key_for_its_site_and_field()
    {
        var path = Path.Combine(_directory, "billing-secrets.key");
        var box = StripeSecretBox.LoadOrCreate(path);
        var sealedKey = box.Seal("site_a", "secret_key", "rk_test_abcdefgh12345678");

        Assert.Equal("rk_test_abcdefgh12345678", box.Open("site_a", "secret_key", sealedKey));
        Assert.Equal("rk_test_abcdefgh12345678", StripeSecretBox.LoadOrCreate(path).Open("site_a", "secret_key", sealedKey));
        Assert.ThrowsAny<CryptographicException>(() => box.Open("site_b", "secret_key", sealedKey));
        Assert.ThrowsAny<CryptographicException>(() => box.Open("site_a", "webhook_secret", sealedKey));
        var tampered = (byte[])sealedKey.Clone();
        tampered[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => box.Open("site_a", "secret_key", tampered));
        Assert.ThrowsAny<CryptographicException>(() => StripeSecretBox.LoadOrCreate(Path.Combine(_directory, "other.key")).Open("site_a", "secret_key", sealedKey));

        // Two seals of one secret differ (random nonce), and the key file is the owner's only.
        Assert.NotEqual(sealedKey, box.Seal("site_a", "secret_key", "rk_test_abcdefgh12345678"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
