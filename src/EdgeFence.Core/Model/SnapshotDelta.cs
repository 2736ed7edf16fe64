namespace EdgeFence.Core.Model;

/// <summary>
/// The tokens that changed between two snapshot versions: an edge serving exactly <see cref="BaseVersion"/> with
/// state hash <see cref="BaseStateHash"/> applies it instead of a full snapshot of <see cref="Version"/>. Signed
/// like a snapshot. Only tokens travel in a delta: a change to a site, plan or resource is sent as a full snapshot,
/// because every compiled token points at its site and plan, so such a change touches every token it covers.
/// </summary>
/// <remarks>
/// The chain: a state's hash is the SHA-256 of the exact bytes of the document that produced it (a delta, or a
/// full snapshot without a <see cref="Snapshot.StateHash"/>), or the <see cref="Snapshot.StateHash"/> a full
/// snapshot declares, which the control plane sets to the hash of the delta that first produced that version. So
/// an edge that fell back to a full snapshot of version N takes the delta to N+1 exactly like one that followed
/// every delta. See <see cref="Security.StateHash"/>.
/// </remarks>
public sealed class SnapshotDelta
{
    /// <summary>The version the edge serves after applying it; greater than <see cref="BaseVersion"/>.</summary>
    public required long Version { get; init; }

    /// <summary>The only version this delta applies to.</summary>
    public required long BaseVersion { get; init; }

    /// <summary>The state hash (32 bytes) the edge must serve at <see cref="BaseVersion"/>.</summary>
    public required byte[] BaseStateHash { get; init; }

    /// <summary>When the control plane built it, Unix milliseconds (informational).</summary>
    public long CreatedAtUnixMs { get; init; }

    /// <summary>Tokens added or changed, matched to the served ones by <see cref="TokenRecord.Hash"/>.</summary>
    public IReadOnlyList<TokenRecord> Tokens { get; init; } = [];

    /// <summary>SHA-256 hashes (32 bytes each) of tokens the edge no longer knows after this delta.</summary>
    public IReadOnlyList<byte[]> RemovedTokenHashes { get; init; } = [];
}
