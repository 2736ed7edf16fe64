using System.Buffers.Binary;
using System.Runtime.InteropServices;
using FASTER.core;

namespace EdgeFence.Edge.Store;

/// <summary>
/// A 16-byte blittable FASTER key taken from the first half of a SHA-256. Blittable because FASTER's
/// object-log path (serializers, reflection) does not survive native AOT; 128 bits because that is
/// collision-free in practice and the full hash is checked after the lookup anyway.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Key128 : IEquatable<Key128>
{
    public ulong High;
    public ulong Low;

    public static Key128 FromHash(ReadOnlySpan<byte> sha256) => new()
    {
        High = BinaryPrimitives.ReadUInt64LittleEndian(sha256),
        Low = BinaryPrimitives.ReadUInt64LittleEndian(sha256[8..]),
    };

    public readonly bool Equals(Key128 other) => High == other.High && Low == other.Low;

    public override readonly bool Equals(object? obj) => obj is Key128 other && Equals(other);

    public override readonly int GetHashCode() => (int)High;

    /// <summary>The bits are a cryptographic hash already: use them as is.</summary>
    public sealed class Comparer : IFasterEqualityComparer<Key128>
    {
        public static readonly Comparer Instance = new();

        public long GetHashCode64(ref Key128 key) => (long)key.High;

        public bool Equals(ref Key128 k1, ref Key128 k2) => k1.High == k2.High && k1.Low == k2.Low;
    }
}
