using System.Security.Cryptography;

namespace EdgeFence.Core.Security;

/// <summary>
/// The hash that chains deltas to the state they apply to (see <see cref="Model.SnapshotDelta"/>): SHA-256 of the
/// exact signed bytes of the document that produced the state.
/// </summary>
public static class StateHash
{
    public const int Length = 32;

    public static byte[] Of(ReadOnlySpan<byte> documentBytes) => SHA256.HashData(documentBytes);

    /// <summary>Lower-case hex, for logs and admin answers.</summary>
    public static string ToHex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);
}
