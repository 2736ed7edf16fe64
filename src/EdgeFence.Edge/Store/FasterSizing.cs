using System.Numerics;

namespace EdgeFence.Edge.Store;

/// <summary>Sizes FASTER's hash index and in-memory log from an expected record count.</summary>
internal static class FasterSizing
{
    /// <summary>1 MiB pages: small enough that a tiny store stays small (pages are allocated as the log grows).</summary>
    public const int PageSize = 1 << 20;

    /// <summary>Bytes of hash index: FASTER buckets are 64-byte cache lines holding 7 entries each; aim for half full.</summary>
    public static long IndexBytes(long records)
    {
        var buckets = Math.Max(1L << 10, (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, records / 3)));
        return buckets * 64;
    }

    /// <summary>In-memory log size with room for every record twice, so nothing is ever evicted from memory.</summary>
    public static long MemoryBytes(long records, int recordBytes)
    {
        var needed = Math.Max(4L * PageSize, records * recordBytes * 2);
        return (long)BitOperations.RoundUpToPowerOf2((ulong)needed);
    }
}
