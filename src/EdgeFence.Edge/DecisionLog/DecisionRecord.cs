namespace EdgeFence.Edge.DecisionLog;

/// <summary>
/// One decision as the log keeps it. References strings the request already has (ids from the
/// snapshot, the method, the request id), so making one allocates nothing. Never the token itself.
/// </summary>
internal readonly record struct DecisionRecord(
    long TimeUnixMs,
    string RequestId,
    string Site,
    string? TokenId,
    string? Customer,
    string? Plan,
    string? Resource,
    string Method,
    int Status,
    string Decision,
    string Reason,
    long Units,
    long Remaining,
    long SnapshotVersion,
    int OriginStatus,
    double OriginLatencyMs,
    long ChargedMicros = 0,
    string? ChargedCurrency = null);
