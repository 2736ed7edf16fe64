using EdgeFence.Core.Payments;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Sync;

namespace EdgeFence.Edge.Payments;

/// <summary>
/// One prepaid balance at the edge: a hard quota in micro-units that never resets, whose limit is what the
/// control plane credited. Debits are this record's <c>Used</c>, shared through the Redis ledger exactly
/// as a hard quota's units, so while Redis answers the edges together never debit more than was credited.
/// </summary>
internal sealed class WalletAccount : LedgerAccount
{
    /// <summary>
    /// How long a balance's ledger outlives its last debit in Redis. Balances have no period; the ledger is
    /// the record of what the edges debited, so it is kept long after, and each push renews it.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(400);

    private readonly string _redisKey;

    public WalletAccount(string siteId, string customer, string currency, long creditedMicros, Key128 key)
        : base(key)
    {
        SiteId = siteId;
        Customer = customer;
        Currency = currency;
        CreditedMicros = creditedMicros;
        _redisKey = WalletKey.RedisKey(siteId, customer, currency);
    }

    public string SiteId { get; }
    public string Customer { get; }
    public string Currency { get; }

    /// <summary>Everything ever credited, as of the wallet book this account was compiled from.</summary>
    public long CreditedMicros { get; }

    public override long QuotaUnits => CreditedMicros;

    public override bool SoftQuota => false;

    public override long RateLimit => 0;

    public override long RateWindowMs => 60_000;

    /// <summary>A balance never resets: one period, starting at 0.</summary>
    public override long PeriodStartMs(long nowMs) => 0;

    public override string LedgerKey(long periodStartMs) => _redisKey;

    public override string RateKey(long windowStartMs) => _redisKey + ":r";

    public override long ExpireAtMs(long periodStartMs) => DateTimeOffset.UtcNow.Add(Retention).ToUnixTimeMilliseconds();

    /// <summary>The counter key of a balance: its <see cref="WalletKey"/> id.</summary>
    public static Key128 KeyOf(string siteId, string customer, string currency)
    {
        Span<byte> id = stackalloc byte[32];
        WalletKey.Compute(siteId, customer, currency, id);
        return Key128.FromHash(id);
    }
}
