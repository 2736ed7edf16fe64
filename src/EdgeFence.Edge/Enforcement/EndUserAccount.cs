using System.Security.Cryptography;
using System.Text;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Sync;

namespace EdgeFence.Edge.Enforcement;

/// <summary>
/// The entitlement of one end user of an app token (OpenAi/OpenAiEndUser.cs): the token's plan, quota and rate limit,
/// counted apart for each user, in its own counter record and its own Redis ledger
/// (<c>ef:{&lt;site&gt;:&lt;token id&gt;:&lt;user&gt;}:q:…</c>). Made per request: the counter key, not the object, is the identity.
/// </summary>
internal sealed class EndUserAccount : LedgerAccount
{
    private readonly TokenRuntime _token;
    private readonly string _ledgerId;

    public EndUserAccount(TokenRuntime token, string user)
        : base(KeyOf(token, user))
    {
        _token = token;
        _ledgerId = token.Id + ":" + user;
    }

    public override long QuotaUnits => _token.QuotaUnits;

    public override bool SoftQuota => _token.SoftQuota;

    public override long RateLimit => _token.RateLimit;

    public override long RateWindowMs => _token.RateWindowMs;

    public override long PeriodStartMs(long nowMs) => _token.PeriodStartMs(nowMs);

    public override string LedgerKey(long periodStartMs) => Sync.LedgerKey.For(_token.Site.Id, _ledgerId, periodStartMs);

    public override string RateKey(long windowStartMs) => Sync.LedgerKey.ForWindow(_token.Site.Id, _ledgerId, windowStartMs);

    public override long ExpireAtMs(long periodStartMs) => _token.ExpireAtMs(periodStartMs);

    /// <summary>First 16 bytes of SHA-256("edgefence-end-user\n" + site + "\n" + token id + "\n" + user): apart from every token's and wallet's key.</summary>
    private static Key128 KeyOf(TokenRuntime token, string user)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("edgefence-end-user\n" + token.Site.Id + "\n" + token.Id + "\n" + user), hash);
        return Key128.FromHash(hash);
    }
}
