namespace EdgeFence.Core.Channel;

/// <summary>
/// One entry of the revocation channel: the Redis stream through which the control plane tells every edge that
/// reaches Redis about a revocation or a deposit, even when its snapshot and wallet book pushes cannot get through.
/// Signed with the snapshot key (see <see cref="ChannelEntryCodec"/>), so only the control plane can write one.
/// </summary>
/// <param name="Kind">Revocation or credit.</param>
/// <param name="Version">
/// For a revocation, the snapshot version that first carries it: an edge serving that version or later already
/// refuses the token from its snapshot. For a credit, the wallet book version that first carries the total.
/// </param>
/// <param name="CreatedAtUnixMs">When the control plane committed the change (for the propagation figures).</param>
/// <param name="TokenId">The revoked token's id (revocation only).</param>
/// <param name="SiteId">The balance's site (credit only).</param>
/// <param name="Customer">The balance's customer (credit only).</param>
/// <param name="Currency">The balance's currency (credit only).</param>
/// <param name="CreditedMicros">Everything ever credited to the balance (credit only): a total, not an increment, so a replay adds nothing.</param>
public sealed record ChannelEntry(
    ChannelEntryKind Kind,
    long Version,
    long CreatedAtUnixMs,
    string TokenId = "",
    string SiteId = "",
    string Customer = "",
    string Currency = "",
    long CreditedMicros = 0)
{
    public static ChannelEntry Revoke(string tokenId, long snapshotVersion, long createdAtUnixMs)
        => new(ChannelEntryKind.Revoke, snapshotVersion, createdAtUnixMs, TokenId: tokenId);

    public static ChannelEntry Heartbeat(long snapshotVersion, long createdAtUnixMs)
        => new(ChannelEntryKind.Heartbeat, snapshotVersion, createdAtUnixMs);

    public static ChannelEntry Credit(string siteId, string customer, string currency, long creditedMicros, long walletVersion, long createdAtUnixMs)
        => new(ChannelEntryKind.Credit, walletVersion, createdAtUnixMs, SiteId: siteId, Customer: customer, Currency: currency, CreditedMicros: creditedMicros);
}
