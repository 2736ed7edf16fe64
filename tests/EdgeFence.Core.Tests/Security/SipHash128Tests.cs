using System.Buffers.Binary;
using EdgeFence.Core.Security;

namespace EdgeFence.Core.Tests.Security;

public sealed class SipHash128Tests
{
    private static readonly byte[] ReferenceKey = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");

    // Made with OpenSSL 3: `openssl mac -macopt hexkey:000102…0f -macopt size:16 -in <bytes 00..n-1> SIPHASH`.
    // Length 0 is also the first 128-bit vector of the SipHash reference code. The lengths cover an
    // empty input, a partial last word, whole words, and a word plus one byte.
    [Theory]
    [InlineData(0, "A3817F04BA25A8E66DF67214C7550293")]
    [InlineData(1, "DA87C1D86B99AF44347659119B22FC45")]
    [InlineData(7, "A1F1EBBED8DBC153C0B84AA61FF08239")]
    [InlineData(8, "3B62A9BA6258F5610F83E264F31497B4")]
    [InlineData(9, "264499060AD9BAABC47F8B02BB6D71ED")]
    [InlineData(15, "5493E99933B0A8117E08EC0F97CFC3D9")]
    [InlineData(16, "6EE2A4CA67B054BBFD3315BF85230577")]
    [InlineData(17, "473D06E8738DB89854C066C47AE47740")]
    [InlineData(31, "2939B0183223FAFC1723DE4F52C43D35")]
    [InlineData(63, "5150D1772F50834A503E069A973FBD7C")]
    public void Matches_openssl_for_the_reference_key(int length, string expectedHex)
    {
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        Assert.Equal(expectedHex, ToHex(SipHash128.Hash(ReferenceKey, message)));
    }

    [Fact]
    public void Matches_openssl_for_another_key_and_a_token_shaped_input()
    {
        var key = Convert.FromHexString("f0e1d2c3b4a5968778695a4b3c2d1e0f");
        var message = "ef_live_"u8.ToArray().Concat(Enumerable.Repeat((byte)'x', 40)).ToArray();
        Assert.Equal("7F9F32B30AD1ECBB6BDDB7ABDC8E9017", ToHex(SipHash128.Hash(key, message)));
    }

    [Fact]
    public void The_key_changes_the_output()
    {
        var other = (byte[])ReferenceKey.Clone();
        other[15] ^= 1;
        var message = "same input"u8.ToArray();
        Assert.NotEqual(SipHash128.Hash(ReferenceKey, message), SipHash128.Hash(other, message));
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => SipHash128.Hash(new byte[15], "x"u8));

    private static string ToHex(UInt128 value)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128LittleEndian(bytes, value);
        return Convert.ToHexString(bytes);
    }
}
