using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.ControlPlane.Portal;

/// <summary>
/// Signed, expiring customer-portal links: <c>/portal/&lt;b64url site&gt;.&lt;b64url customer&gt;.&lt;expiry unix&gt;.&lt;b64url HMAC-SHA256&gt;</c>.
/// The HMAC key is derived (HKDF) from the snapshot signing key, so links survive a restart with no new secret file,
/// and knowing a link tells nothing about the signing key. A changed byte or a past expiry is refused; the MAC is
/// compared in constant time.
/// </summary>
internal sealed class PortalLinks
{
    /// <summary>Longest link accepted: bounds the decoding an unauthenticated visitor can cause.</summary>
    public const int MaxLength = 2048;

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public PortalLinks(ECDsa signingKey, TimeProvider time)
    {
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, signingKey.ExportECPrivateKey(), 32, info: "edgefence customer portal link v1"u8.ToArray());
        _time = time;
    }

    public (string Link, DateTimeOffset ExpiresAt) Create(string siteId, string customer, TimeSpan lifetime)
    {
        var expires = _time.GetUtcNow() + lifetime;
        var body = Encode(siteId) + "." + Encode(customer) + "." + expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return (body + "." + Base64Url(Mac(body)), DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>The site and customer of a valid, unexpired link; null otherwise (which one is not said).</summary>
    public (string SiteId, string Customer)? Open(string link)
    {
        if (link.Length is 0 or > MaxLength)
        {
            return null;
        }

        var parts = link.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        var body = parts[0] + "." + parts[1] + "." + parts[2];
        var mac = FromBase64Url(parts[3]);
        if (mac is null || !CryptographicOperations.FixedTimeEquals(mac, Mac(body)))
        {
            return null;
        }

        if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || expires <= _time.GetUtcNow().ToUnixTimeSeconds())
        {
            return null;
        }

        var site = FromBase64Url(parts[0]);
        var customer = FromBase64Url(parts[1]);
        return site is null || customer is null ? null : (Encoding.UTF8.GetString(site), Encoding.UTF8.GetString(customer));
    }

    private byte[] Mac(string body) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(body));

    private static string Encode(string text) => Base64Url(Encoding.UTF8.GetBytes(text));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
