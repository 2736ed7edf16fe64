using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// The secret in a claim URL: <c>efc_</c> and 32 base62 characters (about 190 bits), kept only as SHA-256, so the
/// lookup by hash leaks nothing through timing and a database copy cannot be used to claim.
/// </summary>
internal static class ClaimCode
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Longest code considered: bounds what an unauthenticated caller makes us hash.</summary>
    public const int MaxLength = 64;

    public static string New() => "efc_" + RandomNumberGenerator.GetString(Base62, 32);

    public static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));
}
