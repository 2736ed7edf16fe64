using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.Core.Security;

/// <summary>
/// Tokens are known everywhere only by the SHA-256 of their UTF-8 bytes. Tokens are random and long
/// (high entropy), so a fast unsalted hash is enough: there is nothing to brute-force.
/// </summary>
public static class TokenHasher
{
    public const int HashLength = 32;

    /// <summary>
    /// Longest token we hash. Real tokens are well under 100 characters; the cap bounds the work an
    /// unauthenticated client can make us do per request (hashing cost) and the stack buffer size.
    /// </summary>
    public const int MaxTokenLength = 256;

    /// <summary>
    /// Hashes a token presented in a header. Returns false (and hashes nothing) for an empty or
    /// over-long token or one with characters outside visible ASCII, which no issued token contains.
    /// </summary>
    public static bool TryHash(ReadOnlySpan<char> token, Span<byte> hash)
    {
        if (token.IsEmpty || token.Length > MaxTokenLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxTokenLength];
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c < '!' || c > '~')
            {
                return false;
            }

            bytes[i] = (byte)c;
        }

        SHA256.HashData(bytes[..token.Length], hash);
        return true;
    }

    /// <summary>Hash of any string (tools and the control plane; no character restrictions).</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
