namespace EdgeFence.Edge.Analytics;

/// <summary>
/// One cell of the per-minute rollup: which minute, and who did what. The strings are the ones the decision
/// already holds (snapshot ids, the resource pattern, constant outcome words), so a key costs no allocation;
/// absent values are empty strings, never null, so the control plane can key on them.
/// </summary>
internal readonly record struct RollupKey(
    long MinuteUnixMs,
    string Site,
    string Plan,
    string Resource,
    string Token,
    string Customer,
    string Decision,
    string Reason,
    string Currency);
