using System.Security.Cryptography;
using EdgeFence.Core.Security;

namespace EdgeFence.Core.Tests.Security;

public class SnapshotSignerTests
{
    private static readonly byte[] Data = "snapshot bytes \u0000\u0001\u0002"u8.ToArray();

    [Fact]
    public void Signature_verifies_with_the_matching_public_key()
    {
        (string privatePem, string publicPem) = SnapshotSigner.CreateKeyPairPem();
        using ECDsa privateKey = SnapshotSigner.LoadPrivateKeyPem(privatePem);
        using ECDsa publicKey = SnapshotSigner.LoadPublicKeyPem(publicPem);

        byte[] signature = SnapshotSigner.Sign(Data, privateKey);

        Assert.Equal(64, signature.Length);
        Assert.True(SnapshotSigner.Verify(Data, signature, publicKey));
    }

    [Fact]
    public void Flipped_byte_in_the_data_fails_verification()
    {
        (ECDsa privateKey, ECDsa publicKey) = CreateKeys();
        byte[] signature = SnapshotSigner.Sign(Data, privateKey);

        for (int i = 0; i < Data.Length; i++)
        {
            byte[] tampered = (byte[])Data.Clone();
            tampered[i] ^= 0x01;
            Assert.False(SnapshotSigner.Verify(tampered, signature, publicKey));
        }
    }

    [Fact]
    public void Flipped_byte_in_the_signature_fails_verification()
    {
        (ECDsa privateKey, ECDsa publicKey) = CreateKeys();
        byte[] signature = SnapshotSigner.Sign(Data, privateKey);

        for (int i = 0; i < signature.Length; i++)
        {
            byte[] tampered = (byte[])signature.Clone();
            tampered[i] ^= 0x80;
            Assert.False(SnapshotSigner.Verify(Data, tampered, publicKey));
        }
    }

    [Fact]
    public void Signature_from_another_key_fails_verification()
    {
        (ECDsa privateKey, _) = CreateKeys();
        (_, ECDsa otherPublicKey) = CreateKeys();

        Assert.False(SnapshotSigner.Verify(Data, SnapshotSigner.Sign(Data, privateKey), otherPublicKey));
    }

    [Theory]
    [InlineData(0, 0x00)]
    [InlineData(63, 0x01)]
    [InlineData(65, 0x01)]
    [InlineData(64, 0x00)]
    [InlineData(64, 0xff)]
    [InlineData(72, 0x30)]
    public void Signature_of_wrong_length_or_garbage_fails_without_throwing(int length, byte fill)
    {
        (_, ECDsa publicKey) = CreateKeys();
        byte[] signature = new byte[length];
        Array.Fill(signature, fill);

        Assert.False(SnapshotSigner.Verify(Data, signature, publicKey));
    }

    [Fact]
    public void Signature_decodes_from_base64_with_a_trailing_newline()
    {
        (ECDsa privateKey, ECDsa publicKey) = CreateKeys();
        byte[] signature = SnapshotSigner.Sign(Data, privateKey);

        Assert.True(SnapshotSigner.TryDecodeSignature(Convert.ToBase64String(signature) + "\n", out byte[] decoded));
        Assert.Equal(signature, decoded);
        Assert.True(SnapshotSigner.Verify(Data, decoded, publicKey));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("not base64 at all!")]
    [InlineData("AAAA")]
    [InlineData("%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%")]
    public void Garbage_base64_fails_to_decode_as_a_signature(string? base64)
    {
        Assert.False(SnapshotSigner.TryDecodeSignature(base64, out byte[] signature));
        Assert.Empty(signature);
    }

    [Fact]
    public void Base64_of_a_65_byte_value_fails_to_decode_as_a_signature()
    {
        Assert.False(SnapshotSigner.TryDecodeSignature(Convert.ToBase64String(new byte[65]), out _));
        Assert.False(SnapshotSigner.TryDecodeSignature(Convert.ToBase64String(new byte[63]), out _));
    }

    [Fact]
    public void P384_public_key_pem_is_rejected()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        ArgumentException e = Assert.Throws<ArgumentException>(() => SnapshotSigner.LoadPublicKeyPem(p384.ExportSubjectPublicKeyInfoPem()));

        Assert.Contains("P-256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void P384_private_key_pem_is_rejected()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => SnapshotSigner.LoadPrivateKeyPem(p384.ExportPkcs8PrivateKeyPem()));
    }

    [Fact]
    public void Signing_with_a_P384_key_is_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => SnapshotSigner.Sign(Data, p384));
    }

    [Fact]
    public void Private_key_pem_is_rejected_where_a_public_key_belongs()
    {
        (string privatePem, _) = SnapshotSigner.CreateKeyPairPem();

        ArgumentException e = Assert.Throws<ArgumentException>(() => SnapshotSigner.LoadPublicKeyPem(privatePem));

        Assert.Contains("PRIVATE KEY", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    public void Unreadable_pem_is_rejected_with_an_argument_exception(string pem)
    {
        Assert.Throws<ArgumentException>(() => SnapshotSigner.LoadPublicKeyPem(pem));
    }

    [Fact]
    public void Openssl_style_private_key_with_ec_parameters_loads()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string pem = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + key.ExportECPrivateKeyPem();

        using ECDsa loaded = SnapshotSigner.LoadPrivateKeyPem(pem);

        Assert.True(SnapshotSigner.Verify(Data, SnapshotSigner.Sign(Data, loaded), key));
    }

    [Fact]
    public void Signatures_are_those_of_ECDsa_SignData_and_VerifyData_over_SHA_256()
    {
        (ECDsa privateKey, ECDsa publicKey) = CreateKeys();

        byte[] theirs = privateKey.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        byte[] ours = SnapshotSigner.Sign(Data, privateKey);

        Assert.True(SnapshotSigner.Verify(Data, theirs, publicKey));
        Assert.True(publicKey.VerifyData(Data, ours, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    private static (ECDsa PrivateKey, ECDsa PublicKey) CreateKeys()
    {
        (string privatePem, string publicPem) = SnapshotSigner.CreateKeyPairPem();
        return (SnapshotSigner.LoadPrivateKeyPem(privatePem), SnapshotSigner.LoadPublicKeyPem(publicPem));
    }
}
