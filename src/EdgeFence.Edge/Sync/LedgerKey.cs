using System.Globalization;

namespace EdgeFence.Edge.Sync;

/// <summary>
/// Redis key of one entitlement's ledger for one period: <c>ef:{&lt;site&gt;:&lt;token id&gt;}:q:&lt;period start ms&gt;</c>.
/// The hash tag (braces) puts every period of one entitlement in one Redis Cluster slot. Ids cannot
/// contain braces (the snapshot validator allows letters, digits, '_', '-', '.', ':').
/// </summary>
internal static class LedgerKey
{
    /// <summary>Ledgers outlive their period by this long, so usage and overage stay readable for billing.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(35);

    public static string For(string siteId, string tokenId, long periodStartMs)
        => string.Create(CultureInfo.InvariantCulture, $"ef:{{{siteId}:{tokenId}}}:q:{periodStartMs}");

    /// <summary>Rate-window hash: <c>ef:{&lt;site&gt;:&lt;token id&gt;}:r:&lt;window start ms&gt;</c>, same slot as the quota ledger.</summary>
    public static string ForWindow(string siteId, string tokenId, long windowStartMs)
        => string.Create(CultureInfo.InvariantCulture, $"ef:{{{siteId}:{tokenId}}}:r:{windowStartMs}");
}
