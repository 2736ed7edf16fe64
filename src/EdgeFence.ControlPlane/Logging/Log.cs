using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Logging;

/// <summary>
/// Source-generated log methods. Client mistakes log at Debug: they are not the operator's problem.
/// No method takes a token, a key or a secret; ids only.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.Started, LogLevel.Information, "EdgeFence control plane listening on {Urls}: snapshot version {Version}, {EdgeCount} edges")]
    public static partial void Started(ILogger logger, string urls, long version, int edgeCount);

    [LoggerMessage(EventIds.Stopping, LogLevel.Information, "EdgeFence control plane stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventIds.SigningKeyGenerated, LogLevel.Warning, "No signing key at {Path}: generated a new one; give {PublicPath} to the edges (EdgeFence:SnapshotPublicKey)")]
    public static partial void SigningKeyGenerated(ILogger logger, string path, string publicPath);

    [LoggerMessage(EventIds.SchemaMigrated, LogLevel.Information, "Database schema migrated to version {Version} ({Name})")]
    public static partial void SchemaMigrated(ILogger logger, int version, string name);

    [LoggerMessage(EventIds.UnhandledError, LogLevel.Error, "{Method} {Path} failed")]
    public static partial void UnhandledError(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventIds.Unauthorized, LogLevel.Debug, "{Method} {Path} refused: {Reason}")]
    public static partial void Unauthorized(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventIds.ClientError, LogLevel.Debug, "{Method} {Path} answered {Status} {Problem}: {Detail}")]
    public static partial void ClientError(ILogger logger, string method, string path, int status, string problem, string detail);

    [LoggerMessage(EventIds.ChangeCommitted, LogLevel.Information, "{Change}: snapshot version {Version}")]
    public static partial void ChangeCommitted(ILogger logger, string change, long version);

    [LoggerMessage(EventIds.ChangeRefused, LogLevel.Debug, "{Change} refused, nothing written: {Detail}")]
    public static partial void ChangeRefused(ILogger logger, string change, string detail);

    [LoggerMessage(EventIds.SnapshotResigned, LogLevel.Warning, "The stored snapshot's signature does not verify with the signing key (was the key replaced?): issued version {Version}, signed with the current key")]
    public static partial void SnapshotResigned(ILogger logger, long version);

    [LoggerMessage(EventIds.PushFallingBackToFull, LogLevel.Information, "Edge {Edge} did not take the delta to version {Version} ({Result}): sending a full snapshot")]
    public static partial void PushFallingBackToFull(ILogger logger, string edge, long version, string result);

    [LoggerMessage(EventIds.FullSnapshotBuilt, LogLevel.Information, "Full snapshot of version {Version} built for edges that need one ({Bytes} bytes, {ElapsedMs} ms)")]
    public static partial void FullSnapshotBuilt(ILogger logger, long version, long bytes, long elapsedMs);

    [LoggerMessage(EventIds.PushApplied, LogLevel.Information, "Edge {Edge} took {What} version {Version} ({Result})")]
    public static partial void PushApplied(ILogger logger, string edge, string what, long version, string result);

    [LoggerMessage(EventIds.PushFailed, LogLevel.Warning, "Edge {Edge} did not take {What} version {Version}: {Result}; retrying in {RetryMs} ms")]
    public static partial void PushFailed(ILogger logger, string edge, string what, long version, string result, long retryMs);

    [LoggerMessage(EventIds.PushRetrying, LogLevel.Debug, "Edge {Edge} still failing to take the {What} ({Failures} in a row): {Result}; retrying in {RetryMs} ms")]
    public static partial void PushRetrying(ILogger logger, string edge, string what, int failures, string result, long retryMs);

    [LoggerMessage(EventIds.EdgeAhead, LogLevel.Warning, "Edge {Edge} serves {What} version {EdgeVersion}, newer than ours ({Version}): was the control plane database replaced? The edge keeps its version until ours passes it")]
    public static partial void EdgeAhead(ILogger logger, string edge, string what, long edgeVersion, long version);

    [LoggerMessage(EventIds.DepositCredited, LogLevel.Information, "Deposit {DepositId}: {AmountMicros} micro-{Currency} to customer {Customer} of site {SiteId}: wallet book version {Version}")]
    public static partial void DepositCredited(ILogger logger, string depositId, long amountMicros, string currency, string customer, string siteId, long version);

    [LoggerMessage(EventIds.DepositReplayed, LogLevel.Debug, "Deposit {DepositId} replayed (same idempotency key, same body): answered as the first time")]
    public static partial void DepositReplayed(ILogger logger, string depositId);

    [LoggerMessage(EventIds.DepositRefused, LogLevel.Debug, "Deposit to customer {Customer} of site {SiteId} refused, nothing written: {Detail}")]
    public static partial void DepositRefused(ILogger logger, string customer, string siteId, string detail);

    [LoggerMessage(EventIds.WalletBookResigned, LogLevel.Warning, "The stored wallet book's signature does not verify with the signing key (was the key replaced?): issued version {Version}, signed with the current key")]
    public static partial void WalletBookResigned(ILogger logger, long version);

    [LoggerMessage(EventIds.ChannelPublished, LogLevel.Debug, "Revocation channel: {Count} outbox entries added to the stream, through outbox id {Id}")]
    public static partial void ChannelPublished(ILogger logger, int count, long id);

    [LoggerMessage(EventIds.ChannelPublishFailed, LogLevel.Warning, "Revocation channel: could not add to the Redis stream ({Detail}); the entries wait in the outbox and are retried")]
    public static partial void ChannelPublishFailed(ILogger logger, string detail);
}
