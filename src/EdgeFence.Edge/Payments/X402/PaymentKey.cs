using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// One payment's identity for the replay guard: SHA-256 of (network, asset, from, nonce), lower-cased,
/// cut to 128 bits. EIP-3009 makes (asset, from, nonce) single-use on chain; the network keeps two
/// chains apart. A fixed-size struct, so the guard holds 16 bytes per payment however long the strings.
/// </summary>
internal readonly record struct PaymentKey(ulong High, ulong Low)
{
    public static PaymentKey For(string network, string asset, string from, string nonce)
    {
        var text = string.Concat(network, "|", asset, "|", from, "|", nonce).ToLowerInvariant();
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return new PaymentKey(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]));
    }
}
