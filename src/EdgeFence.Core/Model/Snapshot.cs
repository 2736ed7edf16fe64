namespace EdgeFence.Core.Model;

/// <summary>
/// One immutable, versioned copy of the configuration of all sites an edge serves.
/// The control plane builds it, signs its MessagePack bytes and pushes it; the edge validates it
/// whole and swaps it in atomically.
/// </summary>
public sealed class Snapshot
{
    /// <summary>Strictly increasing across snapshots from one control plane.</summary>
    public required long Version { get; init; }

    /// <summary>When the control plane built it, Unix milliseconds (informational).</summary>
    public long CreatedAtUnixMs { get; init; }

    public IReadOnlyList<Site> Sites { get; init; } = [];
    public IReadOnlyList<Plan> Plans { get; init; } = [];
    public IReadOnlyList<Resource> Resources { get; init; } = [];
    public IReadOnlyList<TokenRecord> Tokens { get; init; } = [];

    /// <summary>
    /// Empty, or the 32-byte hash deltas to the next version chain to (see <see cref="SnapshotDelta"/>): the control
    /// plane sets it to the hash of the delta that first produced this version. Empty means the hash of this
    /// snapshot's own bytes.
    /// </summary>
    public byte[] StateHash { get; init; } = [];
}
