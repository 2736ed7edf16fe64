using EdgeFence.AspNetCore.Authorize;
using EdgeFence.AspNetCore.Signature;
using Microsoft.Extensions.Logging;

namespace EdgeFence.AspNetCore.Logging;

/// <summary>
/// Source-generated log methods. What a client got wrong logs at Debug (it is not the operator's
/// problem, and at Warning a scanner could flood the logs); an edge the origin cannot use is the
/// operator's problem and logs at Warning. Paths are logged without their query, which may carry
/// credentials.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.SignatureRefused, LogLevel.Debug, "{Method} {Path} refused: EdgeFence signature {Verdict}")]
    public static partial void SignatureRefused(ILogger logger, string method, string? path, SignatureVerdict verdict);

    [LoggerMessage(EventIds.AuthorizeRefusedByEdge, LogLevel.Debug, "{Method} {Path} refused by the edge: {Status} {Reason} (request {RequestId})")]
    public static partial void AuthorizeRefusedByEdge(ILogger logger, string method, string? path, int status, string? reason, string? requestId);

    [LoggerMessage(EventIds.AmbiguousCredentials, LogLevel.Debug, "{Method} {Path} refused: more than one API token")]
    public static partial void AmbiguousCredentials(ILogger logger, string method, string? path);

    // The exception's message, not the exception: while the edge is down this fires on every request,
    // and a stack trace each time would bury everything else in the log.
    [LoggerMessage(EventIds.EdgeFailure, LogLevel.Warning, "No decision from the edge for {Method} {Path}: {Failure} ({Error}); applying {Policy}")]
    public static partial void EdgeFailure(ILogger logger, string method, string? path, EdgeFailure failure, string error, EdgeFenceFailurePolicy policy);
}
