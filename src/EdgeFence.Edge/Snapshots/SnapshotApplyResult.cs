namespace EdgeFence.Edge.Snapshots;

internal readonly record struct SnapshotApplyResult(SnapshotApplyStatus Status, string Detail, long Version, IReadOnlyList<string> Errors)
{
    public static SnapshotApplyResult Rejected(string detail, IReadOnlyList<string>? errors = null)
        => new(SnapshotApplyStatus.Rejected, detail, 0, errors ?? []);
}
