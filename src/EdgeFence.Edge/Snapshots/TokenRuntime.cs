using System.Buffers.Binary;
using System.Runtime.InteropServices;
using EdgeFence.Core.Model;
using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Snapshots;

/// <summary>
/// A token compiled for the request path: its site, plan and counter key resolved, and the few
/// fields of its <see cref="TokenRecord"/> that requests read, copied in. The decoded records are not
/// kept: with the hash held inline rather than in an array of its own, a million tokens take about
/// 64 MiB less (scripts/measure-snapshot.py).
/// </summary>
internal sealed class TokenRuntime
{
    private readonly Sha256Value _hash;

    public TokenRuntime(TokenRecord record, SiteRuntime site, PlanRuntime plan, Key128 counterKey)
    {
        Id = record.Id;
        Customer = record.Customer;
        ExpiresAtUnix = record.ExpiresAtUnix;
        Revoked = record.Revoked;
        _hash = new Sha256Value(record.Hash);
        Site = site;
        Plan = plan;
        CounterKey = counterKey;
    }

    /// <summary>The entitlement's id (shared by a token and its rotated successor).</summary>
    public string Id { get; }
    public string Customer { get; }

    /// <summary>Unix seconds after which the token is refused; 0 means never.</summary>
    public long ExpiresAtUnix { get; }
    public bool Revoked { get; }

    public SiteRuntime Site { get; }
    public PlanRuntime Plan { get; }

    /// <summary>Key of the entitlement's counters: from site and token id, so rotation keeps usage.</summary>
    public Key128 CounterKey { get; }

    /// <summary>The token's SHA-256 (32 bytes), as the snapshot gave it.</summary>
    public ReadOnlySpan<byte> Hash => MemoryMarshal.AsBytes(new ReadOnlySpan<Sha256Value>(in _hash));

    /// <summary>32 bytes kept inside the object instead of in an array of their own.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Sha256Value
    {
        private readonly ulong _a;
        private readonly ulong _b;
        private readonly ulong _c;
        private readonly ulong _d;

        public Sha256Value(ReadOnlySpan<byte> hash)
        {
            _a = BinaryPrimitives.ReadUInt64LittleEndian(hash);
            _b = BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]);
            _c = BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]);
            _d = BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]);
        }
    }
}
