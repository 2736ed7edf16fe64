using EdgeFence.Edge.Enforcement;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Logging;

/// <summary>Source-generated log methods. Client mistakes log at Debug: they are not the operator's problem.</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.Started, LogLevel.Information, "EdgeFence edge {NodeId} listening on {PublicUrls} (admin {AdminUrls})")]
    public static partial void Started(ILogger logger, string nodeId, string publicUrls, string adminUrls);

    [LoggerMessage(EventIds.Stopping, LogLevel.Information, "EdgeFence edge stopping: final checkpoint")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventIds.UnsignedSnapshotsAccepted, LogLevel.Warning, "EdgeFence:SnapshotPublicKey is not set: snapshots are accepted without a signature. Set it in production.")]
    public static partial void UnsignedSnapshotsAccepted(ILogger logger);

    [LoggerMessage(EventIds.SnapshotLoaded, LogLevel.Information, "Snapshot version {Version} loaded from {Path}")]
    public static partial void SnapshotLoaded(ILogger logger, long version, string path);

    [LoggerMessage(EventIds.SnapshotApplied, LogLevel.Information, "Snapshot version {Version} applied")]
    public static partial void SnapshotApplied(ILogger logger, long version);

    [LoggerMessage(EventIds.SnapshotRejected, LogLevel.Warning, "Snapshot rejected: {Detail}")]
    public static partial void SnapshotRejected(ILogger logger, string detail);

    [LoggerMessage(EventIds.PersistedSnapshotUnusable, LogLevel.Warning, "Persisted snapshot {Path} is unusable and was skipped: {Detail}")]
    public static partial void PersistedSnapshotUnusable(ILogger logger, string path, string detail);

    [LoggerMessage(EventIds.ConfiguredSnapshotOlder, LogLevel.Information, "Configured snapshot {Path} skipped: {Detail}")]
    public static partial void ConfiguredSnapshotOlder(ILogger logger, string path, string detail);

    [LoggerMessage(EventIds.McpAnswerTooLarge, LogLevel.Warning, "Site {SiteId}: an MCP tools/list answer over {Limit} bytes could not be filtered; answered 502")]
    public static partial void McpAnswerTooLarge(ILogger logger, string siteId, int limit);

    [LoggerMessage(EventIds.SnapshotStateReclaimed, LogLevel.Information, "Replaced snapshot state reclaimed: one compacting collection paused requests for {PauseMs} ms; resident memory {RssMiB} MiB")]
    public static partial void SnapshotStateReclaimed(ILogger logger, long pauseMs, long rssMiB);

    [LoggerMessage(EventIds.DeltaApplied, LogLevel.Information, "Snapshot delta applied: version {BaseVersion} -> {Version}, {Changed} tokens added or changed, {Removed} removed, {Overlay} in the overlay, in {ElapsedMs} ms")]
    public static partial void DeltaApplied(ILogger logger, long baseVersion, long version, int changed, int removed, int overlay, long elapsedMs);

    [LoggerMessage(EventIds.DeltaRejected, LogLevel.Warning, "Snapshot delta rejected: {Detail}")]
    public static partial void DeltaRejected(ILogger logger, string detail);

    [LoggerMessage(EventIds.DeltaNeedsFullSnapshot, LogLevel.Information, "Snapshot delta not applied, a full snapshot is needed: {Detail}")]
    public static partial void DeltaNeedsFullSnapshot(ILogger logger, string detail);

    [LoggerMessage(EventIds.DeltasReplayed, LogLevel.Information, "{Count} persisted snapshot deltas replayed from {Path}: serving version {Version}")]
    public static partial void DeltasReplayed(ILogger logger, int count, string path, long version);

    [LoggerMessage(EventIds.DeltaLogUnusable, LogLevel.Warning, "Persisted snapshot delta log {Path} ends in an unusable entry, cut there: {Detail}")]
    public static partial void DeltaLogUnusable(ILogger logger, string path, string detail);

    [LoggerMessage(EventIds.DeltaPersistFailed, LogLevel.Error, "Snapshot delta could not be persisted to {Path}; it was not applied")]
    public static partial void DeltaPersistFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventIds.TokenTableCompacted, LogLevel.Information, "Token overlay folded into the base at version {Version}: {Tokens} tokens")]
    public static partial void TokenTableCompacted(ILogger logger, long version, int tokens);

    [LoggerMessage(EventIds.SnapshotPersistFailed, LogLevel.Error, "Snapshot could not be persisted to {Path}; it was not applied")]
    public static partial void SnapshotPersistFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventIds.NoSnapshot, LogLevel.Warning, "No snapshot loaded: every public request gets 503 until one is pushed to PUT /v1/snapshot")]
    public static partial void NoSnapshot(ILogger logger);

    [LoggerMessage(EventIds.Decision, LogLevel.Debug, "{RequestId} {Method} site={Site} resource={Resource} token={TokenId} outcome={Outcome} reason={Reason}")]
    public static partial void Decision(ILogger logger, string requestId, string method, string site, string resource, string tokenId, DecisionOutcome outcome, DenyReason reason);

    [LoggerMessage(EventIds.ClientError, LogLevel.Debug, "{RequestId} refused: {Reason}")]
    public static partial void ClientError(ILogger logger, string requestId, DenyReason reason);

    [LoggerMessage(EventIds.OriginError, LogLevel.Warning, "{RequestId} origin of site {Site} failed: {Error}")]
    public static partial void OriginError(ILogger logger, string requestId, string site, string error, Exception? exception);

    [LoggerMessage(EventIds.UpstreamRetried, LogLevel.Debug, "Pooled connection to {Origin} failed before any response byte ({Detail}); the request is resent once on a new connection")]
    public static partial void UpstreamRetried(ILogger logger, string origin, string detail);

    [LoggerMessage(EventIds.CheckpointTaken, LogLevel.Debug, "Counters checkpointed")]
    public static partial void CheckpointTaken(ILogger logger);

    [LoggerMessage(EventIds.CheckpointFailed, LogLevel.Error, "Counter checkpoint failed")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.CountersRecovered, LogLevel.Information, "Counters recovered from checkpoint (store version {Version})")]
    public static partial void CountersRecovered(ILogger logger, long version);

    [LoggerMessage(EventIds.DecisionLogFull, LogLevel.Warning, "Decision log queue is full: {Dropped} records dropped so far (requests are not slowed)")]
    public static partial void DecisionLogFull(ILogger logger, long dropped);

    [LoggerMessage(EventIds.DecisionLogWriteFailed, LogLevel.Error, "Decision log could not write {Count} records")]
    public static partial void DecisionLogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventIds.RollupShippingFailed, LogLevel.Warning, "Rollups could not be sent to the control plane at {ControlPlane} ({Problem}); {Pending} batches wait on disk and are retried every flush interval")]
    public static partial void RollupShippingFailed(ILogger logger, string controlPlane, string problem, int pending);

    [LoggerMessage(EventIds.RollupShippingResumed, LogLevel.Information, "Rollups reach the control plane again; every spooled batch was sent")]
    public static partial void RollupShippingResumed(ILogger logger);

    [LoggerMessage(EventIds.RollupBatchRejected, LogLevel.Warning, "The control plane refused rollup batch {Batch} (HTTP {Status}); it was moved to rollups/rejected")]
    public static partial void RollupBatchRejected(ILogger logger, string batch, int status);

    [LoggerMessage(EventIds.RollupSpoolFull, LogLevel.Warning, "The rollup spool is full (EdgeFence:AnalyticsSpoolMaxMiB): {Count} oldest unsent batches were deleted")]
    public static partial void RollupSpoolFull(ILogger logger, long count);

    [LoggerMessage(EventIds.RollupSpoolFailed, LogLevel.Error, "Rollups could not be spooled or sent")]
    public static partial void RollupSpoolFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.RedisDown, LogLevel.Warning, "Redis is not answering ({Scope}): its accounts are decided from local counts (each node up to its share of MaxOverAdmission beyond its lease); counts are kept and pushed when it returns")]
    public static partial void RedisDown(ILogger logger, string scope, Exception? exception);

    [LoggerMessage(EventIds.RedisUp, LogLevel.Information, "Redis answers again ({Scope}): reconciling")]
    public static partial void RedisUp(ILogger logger, string scope);

    [LoggerMessage(EventIds.WalletBookLoaded, LogLevel.Information, "Wallet book version {Version} ({Count} balances) loaded from {Path}")]
    public static partial void WalletBookLoaded(ILogger logger, long version, int count, string path);

    [LoggerMessage(EventIds.WalletBookApplied, LogLevel.Information, "Wallet book version {Version} applied ({Count} balances)")]
    public static partial void WalletBookApplied(ILogger logger, long version, int count);

    [LoggerMessage(EventIds.WalletBookRejected, LogLevel.Warning, "Wallet book rejected: {Detail}")]
    public static partial void WalletBookRejected(ILogger logger, string detail);

    [LoggerMessage(EventIds.PersistedWalletBookUnusable, LogLevel.Warning, "Persisted wallet book {Path} is unusable and was skipped: {Detail}")]
    public static partial void PersistedWalletBookUnusable(ILogger logger, string path, string detail);

    // x402: the payment header itself is never logged, only what was decided about it.
    [LoggerMessage(EventIds.PaymentRefused, LogLevel.Debug, "{RequestId} x402 payment refused: {Reason} {Detail}")]
    public static partial void PaymentRefused(ILogger logger, string requestId, DenyReason reason, string detail);

    [LoggerMessage(EventIds.PaymentSettled, LogLevel.Debug, "{RequestId} x402 payment for site {Site} settled: payer {Payer} transaction {Transaction}")]
    public static partial void PaymentSettled(ILogger logger, string requestId, string site, string payer, string transaction);

    [LoggerMessage(EventIds.FacilitatorUnavailable, LogLevel.Warning, "{RequestId} x402 facilitator of site {Site} gave no usable answer to {Step}: {Problem}; answering 503")]
    public static partial void FacilitatorUnavailable(ILogger logger, string requestId, string site, string step, string problem);

    [LoggerMessage(EventIds.PaymentGuardFull, LogLevel.Warning, "{RequestId} x402 replay guard is full (site {Site}): new payments get 503 until held ones expire")]
    public static partial void PaymentGuardFull(ILogger logger, string requestId, string site);

    [LoggerMessage(EventIds.ChannelEntryApplied, LogLevel.Information, "Revocation channel: {Kind} applied ({Subject}, version {Version}), {LatencyMs} ms after the control plane committed it")]
    public static partial void ChannelEntryApplied(ILogger logger, string kind, string subject, long version, long latencyMs);

    [LoggerMessage(EventIds.ChannelEntryIgnored, LogLevel.Warning, "Revocation channel: entry {Id} ignored: {Detail}")]
    public static partial void ChannelEntryIgnored(ILogger logger, string id, string detail);

    [LoggerMessage(EventIds.ChannelReadFailed, LogLevel.Debug, "Revocation channel: read failed ({Detail}); retrying")]
    public static partial void ChannelReadFailed(ILogger logger, string detail);

    [LoggerMessage(EventIds.ChannelDisabled, LogLevel.Warning, "Revocation channel not followed: no EdgeFence:SnapshotPublicKey, and unsigned entries would let any Redis writer credit balances")]
    public static partial void ChannelDisabled(ILogger logger);

    [LoggerMessage(EventIds.ConfigStale, LogLevel.Warning, "Configuration stale: nothing heard from the control plane or the channel for over {MaxAgeSeconds} s; enforced resources now {Policy}")]
    public static partial void ConfigStale(ILogger logger, int maxAgeSeconds, string policy);

    [LoggerMessage(EventIds.ConfigFresh, LogLevel.Information, "Configuration fresh again: heard from the control plane or the channel")]
    public static partial void ConfigFresh(ILogger logger);
}
