using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using EdgeFence.Core.Security;

namespace EdgeFence.Edge.Store;

/// <summary>
/// Remembers which token of one compiled snapshot a presented token string was verified to be, keyed
/// by SipHash-2-4-128 of the string under a random key that never leaves this object. A token seen
/// before then costs one SipHash and one array read (tens of nanoseconds) instead of a SHA-256 and a
/// FASTER lookup (about 0.8 µs on our 2-core machine, most of it SHA-256 in OpenSSL).
/// <para>
/// Why this is as safe as hashing every time: only strings that were verified (SHA-256 found in the
/// snapshot and compared in constant time) are ever added. A different string reaches a cached entry
/// only if its SipHash equals that entry's, and SipHash is a pseudorandom function: without the key,
/// matching a given 128-bit output takes about 2^128 tries against this process. The cache holds no
/// token text and no SHA-256, only keyed tags, so a memory dump yields nothing a stolen snapshot
/// would not. Entries are immutable objects published by reference, so a reader racing a writer sees
/// a whole old entry or a whole new one, never a tag from one and an ordinal from another.
/// </para>
/// <para>
/// Threat: a client holding many valid tokens churns the cache. Its slots are direct-mapped with room
/// for twice the snapshot's tokens, so churn only sends requests back to the SHA-256 path, which is
/// what every request cost without the cache; invalid tokens are never added, so a flood of random
/// tokens cannot evict anything.
/// </para>
/// </summary>
internal sealed class VerifiedTokenCache
{
    /// <summary>Slots at most: 4M references (32 MiB), twice the largest snapshot we size for.</summary>
    private const int MaxSlots = 1 << 22;

    private readonly Entry?[] _slots;
    private readonly int _mask;
    private readonly ulong _k0;
    private readonly ulong _k1;

    public VerifiedTokenCache(int tokens)
    {
        var slots = (int)Math.Min(MaxSlots, BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, tokens) * 2));
        _slots = new Entry?[slots];
        _mask = slots - 1;
        Span<ulong> key = stackalloc ulong[2];
        RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(key));
        _k0 = key[0];
        _k1 = key[1];
    }

    /// <summary>
    /// The keyed tag of a presented token string, over its UTF-16 bytes as they are (narrowing to
    /// ASCII first measured no faster). The caller bounds the length.
    /// </summary>
    public UInt128 Tag(ReadOnlySpan<char> token) => SipHash128.Hash(_k0, _k1, MemoryMarshal.AsBytes(token));

    /// <summary>
    /// The ordinal of the verified token with this tag, if it is still cached. Comparing tags need not
    /// be constant-time: a tag is a keyed function of the caller's own string, so timing tells the
    /// caller nothing about any token it does not already hold.
    /// </summary>
    public bool TryGet(UInt128 tag, out int ordinal)
    {
        var entry = Volatile.Read(ref _slots[SlotOf(tag)]);
        if (entry is not null && entry.Tag == tag)
        {
            ordinal = entry.Ordinal;
            return true;
        }

        ordinal = -1;
        return false;
    }

    /// <summary>Records that the string with this tag is the snapshot's token <paramref name="ordinal"/>: call only after verifying it.</summary>
    public void Add(UInt128 tag, int ordinal) => Volatile.Write(ref _slots[SlotOf(tag)], new Entry(tag, ordinal));

    private int SlotOf(UInt128 tag) => (int)(ulong)tag & _mask;

    private sealed class Entry(UInt128 tag, int ordinal)
    {
        public UInt128 Tag { get; } = tag;
        public int Ordinal { get; } = ordinal;
    }
}
