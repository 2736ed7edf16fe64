using System.Buffers.Binary;
using System.Runtime.InteropServices;
using EdgeFence.Core.Model;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Sync;

namespace EdgeFence.Edge.Snapshots;

/// <summary>
/// A token compiled for the request path: its site, plan and counter key resolved, and the few
/// fields of its <see cref="TokenRecord"/> that requests read, copied in. The decoded records are not
/// kept: with the hash held inline rather than in an array of its own, a million tokens take about
/// 64 MiB less (scripts/measure-snapshot.py).
/// </summary>
internal sealed class TokenRuntime : LedgerAccount
{
    private readonly Sha256Value _hash;

    /// <param name="customer">The record's customer, or an equal string already held (see <see cref="EdgeStateBuilder"/>).</param>
    public TokenRuntime(TokenRecord record, SiteRuntime site, PlanRuntime plan, Key128 counterKey, Key128 walletKey = default, string? customer = null)
        : base(counterKey)
    {
        WalletKey = walletKey;
        Id = record.Id;
        Customer = customer ?? record.Customer;
        ExpiresAtUnix = record.ExpiresAtUnix;
        Revoked = record.Revoked;
        Suspended = record.Suspended;
        _hash = new Sha256Value(record.Hash);
        Site = site;
        Plan = plan;
    }

    /// <summary>The entitlement's id (shared by a token and its rotated successor).</summary>
    public string Id { get; }
    public string Customer { get; }

    /// <summary>Unix seconds after which the token is refused; 0 means never.</summary>
    public long ExpiresAtUnix { get; }
    public bool Revoked { get; }

    /// <summary>Refused with 402 <c>payment-overdue</c> until billing lifts it (<see cref="TokenRecord.Suspended"/>).</summary>
    public bool Suspended { get; }

    public SiteRuntime Site { get; }
    public PlanRuntime Plan { get; }

    /// <summary>On a prepaid plan: the key of the customer's balance in the plan's currency (see <see cref="Core.Payments.WalletKey"/>).</summary>
    public Key128 WalletKey { get; }

    public override long QuotaUnits => Plan.QuotaUnits;

    public override bool SoftQuota => Plan.SoftQuota;

    public override long RateLimit => Plan.RateLimit;

    public override long RateWindowMs => Plan.RateWindowMs;

    public override long PeriodStartMs(long nowMs)
    {
        Plan.GetPeriodBounds(nowMs, out var start, out _);
        return start;
    }

    public override string LedgerKey(long periodStartMs) => Sync.LedgerKey.For(Site.Id, Id, periodStartMs);

    public override string RateKey(long windowStartMs) => Sync.LedgerKey.ForWindow(Site.Id, Id, windowStartMs);

    public override long ExpireAtMs(long periodStartMs)
    {
        Core.Limits.BillingPeriod.GetBounds(Plan.Plan.QuotaPeriod, periodStartMs, out _, out var periodEnd);
        return periodEnd + (long)Sync.LedgerKey.Retention.TotalMilliseconds;
    }

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
