using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// Encrypts the sites' Stripe secrets (AES-256-GCM) with a key kept in its own owner-only file, away from the
/// database: a leaked database copy or backup does not hand out keys that can move money.
/// </summary>
/// <remarks>
/// Each box is bound to its site and field through the associated data, so a ciphertext copied into another
/// site's row (or from the key column into the webhook column) fails to open instead of being used there.
/// </remarks>
internal sealed class StripeSecretBox
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly byte[] _key;

    private StripeSecretBox(byte[] key) => _key = key;

    public static StripeSecretBox LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (existing.Length != 32)
            {
                throw new Hosting.ControlPlaneConfigurationException("ControlPlane:Stripe:SecretsKey", $"'{path}' must hold exactly 32 bytes");
            }

            return new StripeSecretBox(existing);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var key = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(key);
        }

        return new StripeSecretBox(key);
    }

    public byte[] Seal(string siteId, string field, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var box = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = box.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, box.AsSpan(NonceBytes + TagBytes), box.AsSpan(NonceBytes, TagBytes), Associated(siteId, field));
        CryptographicOperations.ZeroMemory(plain);
        return box;
    }

    /// <summary>Throws <see cref="CryptographicException"/> when the box was not sealed with this key for this site and field.</summary>
    public string Open(string siteId, string field, byte[] box)
    {
        if (box.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("the stored secret is truncated");
        }

        var plain = new byte[box.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(box.AsSpan(0, NonceBytes), box.AsSpan(NonceBytes + TagBytes), box.AsSpan(NonceBytes, TagBytes), plain, Associated(siteId, field));
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] Associated(string siteId, string field) => Encoding.UTF8.GetBytes("edgefence-stripe:" + siteId + ":" + field);
}
