using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace EdgeFence.Core.Security;

/// <summary>
/// SipHash-2-4 with its 128-bit output (Aumasson and Bernstein, 2012): a keyed pseudorandom function
/// over short inputs. Without the key, nobody can compute it, predict it or find two inputs with the
/// same output, which makes it safe as the key of a cache that maps a presented token to the token it
/// was verified to be.
/// Written by hand: .NET has no public SipHash (its Marvin is internal, and the keyed hashes of
/// System.IO.Hashing are not pseudorandom functions), and OpenSSL's, reached through its MAC API, costs
/// more per call than the hash itself. The tests check it against OpenSSL's <c>SIPHASH</c> output.
/// </summary>
public static class SipHash128
{
    public const int KeyLength = 16;

    /// <summary>Hashes <paramref name="data"/> with the 16-byte <paramref name="key"/>.</summary>
    public static UInt128 Hash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(key.Length, KeyLength, nameof(key));
        return Hash(BinaryPrimitives.ReadUInt64LittleEndian(key), BinaryPrimitives.ReadUInt64LittleEndian(key[8..]), data);
    }

    /// <summary>Hashes <paramref name="data"/> with the key given as its two little-endian halves.</summary>
    public static UInt128 Hash(ulong k0, ulong k1, ReadOnlySpan<byte> data)
    {
        var v0 = k0 ^ 0x736f6d6570736575UL;
        var v1 = k1 ^ 0x646f72616e646f6dUL ^ 0xee;
        var v2 = k0 ^ 0x6c7967656e657261UL;
        var v3 = k1 ^ 0x7465646279746573UL;

        var end = data.Length & ~7;
        for (var i = 0; i < end; i += 8)
        {
            var m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        var last = (ulong)data.Length << 56;
        var tail = data[end..];
        for (var i = 0; i < tail.Length; i++)
        {
            last |= (ulong)tail[i] << (8 * i);
        }

        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xee;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        var low = v0 ^ v1 ^ v2 ^ v3;

        v1 ^= 0xdd;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        var high = v0 ^ v1 ^ v2 ^ v3;

        // The reference output is low's bytes then high's, both little-endian.
        return new UInt128(high, low);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
