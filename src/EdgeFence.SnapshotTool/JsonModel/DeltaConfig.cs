namespace EdgeFence.SnapshotTool.JsonModel;

/// <summary>
/// The JSON of a delta: <c>{"version", "baseVersion", "baseStateHash", "tokens": [...], "removedTokens": [...]}</c>.
/// <c>baseStateHash</c> is the 64 hex digits the edge reports as <c>stateHash</c> on <c>GET /v1/snapshot</c>; tokens
/// are written as in a snapshot's JSON; removed tokens are given as clear tokens or as 64-hex-digit hashes.
/// </summary>
internal sealed class DeltaConfig
{
    public long? Version { get; set; }
    public long? BaseVersion { get; set; }
    public string? BaseStateHash { get; set; }
    public List<TokenConfig?>? Tokens { get; set; }
    public List<string?>? RemovedTokens { get; set; }
    public List<string?>? RemovedTokenHashes { get; set; }
}
