using System.Security.Cryptography;

namespace EdgeFence.Core.Security;

/// <summary>
/// Signs and verifies snapshot bytes: ECDSA P-256 over SHA-256 of the exact MessagePack bytes, the signature
/// in IEEE P1363 form (r‖s, 64 bytes), base64 in <see cref="HeaderName"/> or in the file
/// <c>&lt;snapshot path&gt;.sig</c>.
/// </summary>
public static class SnapshotSigner
{
    /// <summary>The HTTP header that carries the base64 signature of a pushed snapshot.</summary>
    public const string HeaderName = "X-EdgeFence-Snapshot-Signature";

    /// <summary>Length of a P-256 signature in IEEE P1363 form: two 32-byte integers.</summary>
    public const int SignatureLength = 64;

    private const string P256Oid = "1.2.840.10045.3.1.7";

    public static byte[] Sign(ReadOnlySpan<byte> data, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        RequireP256(privateKey, nameof(privateKey));

        // SignData would copy the whole document into an ArrayPool array to hash it (see Verify); the same signature.
        return privateKey.SignHash(SHA256.HashData(data), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>
    /// True only for a valid signature by <paramref name="publicKey"/>; false, never an exception, for a
    /// signature of the wrong length, garbage, or a key that is not P-256.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (signature.Length != SignatureLength || publicKey.KeySize != 256)
        {
            return false;
        }

        // Hashed here, then VerifyHash: the same check as VerifyData over SHA-256, without its copy. On Linux
        // ECDsa.Create() gives a wrapper whose VerifyData hashes through ECDsa's default TryHashData: it rents an
        // array the size of the document from ArrayPool<byte>.Shared, copies the document into it, and returns it
        // (cleared) to the pool, which keeps it. At 1M tokens that is a 64 MiB array per thread that ever verified a
        // snapshot, live through the edge's reclaiming collection: scripts/measure-snapshot.py read 284 MiB at ready
        // and 302 after a second full push with this, 341-394 and 405-476 without (the second push often on another
        // thread, so two such arrays). SHA256.HashData reads the span where it is.
        try
        {
            return publicKey.VerifyHash(SHA256.HashData(data), signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Decodes a base64 signature from the header or a <c>.sig</c> file; surrounding whitespace, such as
    /// the file's trailing newline, is ignored. False unless it decodes to exactly 64 bytes.
    /// </summary>
    public static bool TryDecodeSignature(string? base64, out byte[] signature)
    {
        signature = [];
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }

        // One byte of room beyond the expected length: a longer signature then fails the length test
        // instead of fitting by accident.
        Span<byte> buffer = stackalloc byte[SignatureLength + 1];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out int written) || written != SignatureLength)
        {
            return false;
        }

        signature = buffer[..SignatureLength].ToArray();
        return true;
    }

    /// <summary>Loads the public key an edge verifies snapshots with, from a <c>PUBLIC KEY</c> PEM.</summary>
    /// <exception cref="ArgumentException">The PEM is unreadable, holds a private key, or is not on P-256.</exception>
    public static ECDsa LoadPublicKeyPem(string pem) => LoadPem(pem, isPrivate: false);

    /// <summary>Loads the control plane's signing key, from a <c>PRIVATE KEY</c> or <c>EC PRIVATE KEY</c> PEM.</summary>
    /// <exception cref="ArgumentException">The PEM is unreadable, holds no private key, or is not on P-256.</exception>
    public static ECDsa LoadPrivateKeyPem(string pem) => LoadPem(pem, isPrivate: true);

    /// <summary>A new P-256 key pair: PKCS#8 private key PEM and SubjectPublicKeyInfo public key PEM.</summary>
    public static (string privatePem, string publicPem) CreateKeyPairPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key.ExportPkcs8PrivateKeyPem(), key.ExportSubjectPublicKeyInfoPem());
    }

    private static ECDsa LoadPem(string pem, bool isPrivate)
    {
        ArgumentNullException.ThrowIfNull(pem);
        string expected = isPrivate ? "a PRIVATE KEY or EC PRIVATE KEY" : "a PUBLIC KEY";

        // `openssl ecparam -genkey` puts an EC PARAMETERS block before the key; it says nothing the key
        // does not, so it is passed over.
        ReadOnlySpan<char> rest = pem;
        PemFields fields;
        string label;
        do
        {
            if (!PemEncoding.TryFind(rest, out fields))
            {
                throw new ArgumentException($"Snapshot signing key: no PEM key block found, expected {expected} PEM.", nameof(pem));
            }

            label = rest[fields.Label].ToString();
            if (label == "EC PARAMETERS")
            {
                rest = rest[fields.Location.End..];
            }
        }
        while (label == "EC PARAMETERS");

        // The label decides before the import does: ImportFromPem would also accept a private key where a
        // public one belongs, and an edge must never be handed the signing key.
        bool labelFits = isPrivate ? label is "PRIVATE KEY" or "EC PRIVATE KEY" : label == "PUBLIC KEY";
        if (!labelFits)
        {
            throw new ArgumentException($"Snapshot signing key: found a {label} PEM, expected {expected} PEM.", nameof(pem));
        }

        ReadOnlySpan<char> block = rest[fields.Location];
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(block);
            RequireP256(key, nameof(pem));
            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new ArgumentException($"Snapshot signing key: the {label} PEM is not a readable EC key ({e.Message}).", nameof(pem), e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static void RequireP256(ECDsa key, string paramName)
    {
        ECCurve curve = key.ExportParameters(includePrivateParameters: false).Curve;
        bool isP256 = curve.IsNamed
            && (curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1");
        if (!isP256)
        {
            string found = curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? $"an unnamed {key.KeySize}-bit curve";
            throw new ArgumentException($"Snapshot signing key must be on curve P-256 (nistP256), found {found}.", paramName);
        }
    }
}
