using System.Security.Cryptography;

namespace EdgeFence.ControlPlane.Secrets;

/// <summary>
/// Every random string the control plane hands out. All come from the OS CSPRNG
/// (<see cref="RandomNumberGenerator"/>), and all are printable ASCII so they travel in headers and
/// config files unchanged.
/// </summary>
internal static class SecretGenerator
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Base32 = "0123456789abcdefghjkmnpqrstvwxyz";

    /// <summary>An API token: <c>ef_</c> and 32 base62 characters, about 190 bits: guessing one is not a strategy.</summary>
    public static string Token() => "ef_" + RandomNumberGenerator.GetString(Base62, 32);

    /// <summary>A site's origin key for <c>POST /v1/authorize</c>: <c>efo_</c> and 32 base62 characters.</summary>
    public static string OriginKey() => "efo_" + RandomNumberGenerator.GetString(Base62, 32);

    /// <summary>
    /// A site's HMAC secret: 32 random bytes as 43 base64url characters. The HMAC key is the UTF-8 bytes of
    /// this string (43 bytes, above the edge's 32-byte minimum), so the same string works in the edge, the
    /// SDK and any origin that reads it from its config.
    /// </summary>
    public static string HmacSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>An id: a prefix naming the kind and 16 base32 characters (80 bits), unique without coordination.</summary>
    public static string Id(string prefix) => prefix + "_" + RandomNumberGenerator.GetString(Base32, 16);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
