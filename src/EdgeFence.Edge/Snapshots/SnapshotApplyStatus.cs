namespace EdgeFence.Edge.Snapshots;

internal enum SnapshotApplyStatus
{
    Applied,

    /// <summary>Corrupt, unsigned, mis-signed or invalid: 400.</summary>
    Rejected,

    /// <summary>Not newer than the one serving: 409.</summary>
    Stale,

    /// <summary>A delta that does not apply to the state served (another base version or hash, no snapshot yet, the delta log full): 409, send a full snapshot.</summary>
    NeedsFullSnapshot,

    /// <summary>Valid, but it could not be persisted, so it was not applied: 500.</summary>
    NotPersisted,
}
