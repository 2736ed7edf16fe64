namespace EdgeFence.Core.Channel;

/// <summary>
/// What a channel entry says. Only changes that tighten access (a revocation) or that can only grow (a
/// balance's credited total) travel on the channel: replayed, reordered or duplicated, they leave an edge no
/// looser than the control plane meant, so a Redis writer holding old signed entries cannot undo anything.
/// </summary>
public enum ChannelEntryKind : byte
{
    /// <summary>A token is revoked, for good, as of <see cref="ChannelEntry.Version"/> (the snapshot version that says so).</summary>
    Revoke = 1,

    /// <summary>A balance's credited total reached <see cref="ChannelEntry.CreditedMicros"/> in wallet book <see cref="ChannelEntry.Version"/>.</summary>
    Credit = 2,

    /// <summary>
    /// The control plane is alive and its latest snapshot is <see cref="ChannelEntry.Version"/>. Carries no change;
    /// it lets an edge with <c>MaxConfigAgeSeconds</c> tell a quiet control plane from one it cannot hear. Dated by
    /// the control plane, so an old heartbeat replayed makes no edge fresher.
    /// </summary>
    Heartbeat = 3,
}
