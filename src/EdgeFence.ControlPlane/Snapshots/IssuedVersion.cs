namespace EdgeFence.ControlPlane.Snapshots;

/// <summary>What a change issued: a full snapshot, or a delta from the version before (exactly one is set).</summary>
internal sealed record IssuedVersion(long Version, SignedSnapshot? Full, SignedDelta? Delta);
