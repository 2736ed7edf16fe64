using System.Security.Cryptography;
using System.Text;
using EdgeFence.Core.Security;

namespace EdgeFence.Core.Tests.Security;

public class TokenHasherTests
{
    /// <summary>SHA-256("abc"), the FIPS 180-2 test vector.</summary>
    private const string AbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void Try_hash_matches_the_published_sha256_test_vector()
    {
        var hash = new byte[TokenHasher.HashLength];

        Assert.True(TokenHasher.TryHash("abc", hash));
        Assert.Equal(AbcSha256, Convert.ToHexStringLower(hash));
    }

    [Theory]
    [InlineData("sk_live_4eC39HqLyjWDarjtT1zdp7dc")]
    [InlineData("!")]
    [InlineData("~")]
    [InlineData("!\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~")]
    public void Try_hash_is_sha256_of_the_ascii_bytes(string token)
    {
        var hash = new byte[TokenHasher.HashLength];

        Assert.True(TokenHasher.TryHash(token, hash));
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(token)), hash);
        Assert.Equal(TokenHasher.Hash(token), hash);
    }

    [Fact]
    public void Try_hash_accepts_exactly_the_maximum_length()
    {
        var token = new string('k', TokenHasher.MaxTokenLength);
        var hash = new byte[TokenHasher.HashLength];

        Assert.Equal(256, TokenHasher.MaxTokenLength);
        Assert.True(TokenHasher.TryHash(token, hash));
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(token)), hash);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sk live")] // space
    [InlineData(" sk")]
    [InlineData("sk\t1")]
    [InlineData("sk\r\n")]
    [InlineData("\0")]
    [InlineData("sk\u007f")] // DEL
    [InlineData("sk_é")]
    [InlineData("токен")]
    [InlineData("sk_\u00a0")] // no-break space
    public void Try_hash_refuses_tokens_outside_visible_ascii_and_writes_nothing(string token)
    {
        var hash = new byte[TokenHasher.HashLength];

        Assert.False(TokenHasher.TryHash(token, hash));
        Assert.All(hash, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Try_hash_refuses_a_token_one_over_the_maximum_length()
    {
        var hash = new byte[TokenHasher.HashLength];

        Assert.False(TokenHasher.TryHash(new string('k', TokenHasher.MaxTokenLength + 1), hash));
        Assert.All(hash, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Hash_is_sha256_of_the_utf8_bytes()
    {
        Assert.Equal(AbcSha256, Convert.ToHexStringLower(TokenHasher.Hash("abc")));

        // Computed independently with Python: hashlib.sha256("tökén".encode()).hexdigest().
        Assert.Equal("c61a705e32913a858921fec03c7dc0259250783f37e3d82341e7bda6fe7e7833", Convert.ToHexStringLower(TokenHasher.Hash("tökén")));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("with space\tand tab")), TokenHasher.Hash("with space\tand tab"));
        Assert.Equal(SHA256.HashData([]), TokenHasher.Hash(""));
    }
}
