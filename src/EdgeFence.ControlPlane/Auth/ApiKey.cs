using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.ControlPlane.Auth;

/// <summary>
/// A configured bearer key, held only as its SHA-256. A presented key is hashed and compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>: hashing first gives both sides the same length,
/// and the comparison takes the same time wherever the first difference is, so response timing says
/// nothing about how much of a guess was right.
/// </summary>
internal sealed class ApiKey
{
    private readonly byte[] _hash;

    public ApiKey(string key) => _hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Matches(ReadOnlySpan<char> presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = Encoding.UTF8.GetBytes(presented.ToArray());
        SHA256.HashData(bytes, hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }
}
