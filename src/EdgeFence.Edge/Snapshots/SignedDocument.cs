using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;

namespace EdgeFence.Edge.Snapshots;

/// <summary>
/// The first three steps of taking any signed document the control plane sends (a snapshot, a wallet book):
/// the signature over the exact bytes before a single byte is decoded, then a strict decode, then validation
/// of the whole. Only a document that passes all three reaches its manager's newer-only swap.
/// </summary>
internal static class SignedDocument
{
    public static bool TryRead<T>(
        ECDsa? publicKey,
        byte[] bytes,
        byte[]? signature,
        string what,
        Func<byte[], T> decode,
        Func<T, IReadOnlyList<string>> validate,
        [NotNullWhen(true)] out T? document,
        out SnapshotApplyResult rejection)
        where T : class
    {
        document = null;

        // 1. Signature over the exact bytes, before a single byte is decoded.
        if (publicKey is not null)
        {
            if (signature is null)
            {
                rejection = SnapshotApplyResult.Rejected($"{what} is unsigned; send its signature in {SnapshotSigner.HeaderName}");
                return false;
            }

            if (!SnapshotSigner.Verify(bytes, signature, publicKey))
            {
                rejection = SnapshotApplyResult.Rejected($"{what} signature does not verify with the configured public key");
                return false;
            }
        }

        // 2. Decode.
        T decoded;
        try
        {
            decoded = decode(bytes);
        }
        catch (SnapshotFormatException ex)
        {
            rejection = SnapshotApplyResult.Rejected($"{what} is corrupt: " + ex.Message);
            return false;
        }

        // 3. Validate whole.
        var errors = validate(decoded);
        if (errors.Count > 0)
        {
            rejection = SnapshotApplyResult.Rejected($"{what} is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")})", errors);
            return false;
        }

        document = decoded;
        rejection = default;
        return true;
    }
}
