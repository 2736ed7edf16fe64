using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeFence.Core.Paths;
using EdgeFence.Edge.DecisionLog;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Authorize;

/// <summary>
/// Middleware mode: the origin describes a request it received and the edge runs the same decision
/// (and counting) as proxy mode. The call is authenticated with the site's origin key
/// (<c>Authorization: Bearer &lt;origin key&gt;</c>), which also names the site. A decision, allow or deny,
/// is a 200 whose body says it; the RateLimit headers and Retry-After come along for the origin to copy.
/// </summary>
internal sealed class AuthorizeHandler
{
    public const string Path = "/v1/authorize";

    /// <summary>Largest body accepted: the four fields fit in far less; the cap stops memory exhaustion by a caller.</summary>
    private const int MaxBodyBytes = 8 * 1024;

    private readonly SnapshotManager _snapshots;
    private readonly DecisionEngine _engine;
    private readonly DecisionReporter _reporter;
    private readonly ILogger _logger;

    public AuthorizeHandler(SnapshotManager snapshots, DecisionEngine engine, DecisionReporter reporter, ILogger<AuthorizeHandler> logger)
    {
        _reporter = reporter;
        _snapshots = snapshots;
        _engine = engine;
        _logger = logger;
    }

    /// <summary>
    /// The Kestrel path's adapter (the fast path's is <c>Proxy/Inbound/FastAuthorizeHandler</c>); both run the steps
    /// below, which read plain values, not an HTTP layer's request.
    /// </summary>
    public async Task HandleAsync(HttpContext context)
    {
        var requestId = RequestIds.Next();

        // :: Step 1: the config, and the site the origin key names.
        var state = _snapshots.Current;
        if (state is null)
        {
            _reporter.Refused(requestId, "POST", DenyReason.NoSnapshot, 0);
            await ProblemWriter.WriteAsync(context, DenyReason.NoSnapshot, null, requestId).ConfigureAwait(false);
            return;
        }

        var authorization = context.Request.Headers.Authorization;
        if (!TryFindSite(state, authorization.Count == 1 ? authorization[0] : null, requestId, out var site))
        {
            await ProblemWriter.WriteAsync(context, DenyReason.InvalidOriginKey, OriginKeyProblem, requestId).ConfigureAwait(false);
            return;
        }

        // :: Step 2: the described request, from a bounded body.
        if (context.Request.ContentLength is > MaxBodyBytes || await ReadBodyAsync(context).ConfigureAwait(false) is not { } body)
        {
            _reporter.Refused(requestId, "POST", DenyReason.InvalidRequestBody, state.Version);
            await ProblemWriter.WriteAsync(context, DenyReason.InvalidRequestBody, BodyProblem, requestId).ConfigureAwait(false);
            return;
        }

        AuthorizeRequest request;
        string? error;
        try
        {
            if (!TryRead(state, site, body.AsSpan(), requestId, out request, out error))
            {
                await ProblemWriter.WriteAsync(context, DenyReason.InvalidRequestBody, error, requestId).ConfigureAwait(false);
                return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body.Array!);
        }

        // :: Step 3: decide (and count), then answer.
        var decision = await DecideAsync(state, site, request, requestId).ConfigureAwait(false);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        response.Headers[Core.Security.RequestSigner.RequestIdHeader] = requestId;
        RateLimitHeaders.Apply(response.Headers, decision);
        WriteAnswer(response.BodyWriter, decision, requestId);
        await response.BodyWriter.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>The refusal's detail when <see cref="TryFindSite"/> fails.</summary>
    public const string OriginKeyProblem = "send the site's origin key as 'Authorization: Bearer <origin key>'";

    /// <summary>The refusal's detail for a body over <see cref="MaxBodyBytes"/>.</summary>
    public const string BodyProblem = "body must be JSON of at most 8192 bytes";

    /// <summary>Whether a body of this length is read at all (longer ones are refused unread).</summary>
    public static bool IsTooLong(long contentLength) => contentLength > MaxBodyBytes;

    /// <summary>
    /// The site whose origin key the one <c>Authorization</c> value carries (null: none, or repeated). A refusal is
    /// logged and reported here; the caller writes it (<see cref="OriginKeyProblem"/>).
    /// </summary>
    public bool TryFindSite(EdgeState state, ReadOnlySpan<char> authorization, string requestId, out SiteRuntime site)
    {
        if (TryFindSiteByOriginKey(state, authorization, out site))
        {
            return true;
        }

        Log.ClientError(_logger, requestId, DenyReason.InvalidOriginKey);
        _reporter.Refused(requestId, "POST", DenyReason.InvalidOriginKey, state.Version);
        return false;
    }

    /// <summary>The described request, or a refusal (reported here; the caller writes it with <paramref name="error"/>).</summary>
    public bool TryRead(EdgeState state, SiteRuntime site, ReadOnlySpan<byte> body, string requestId, out AuthorizeRequest request, out string? error)
    {
        if (AuthorizeRequestReader.TryRead(body, out request, out error))
        {
            if (request.Host is not { Length: > 0 } host || !state.TryGetSiteByHost(host.AsSpan().TrimEnd('.'), out var hostSite) || ReferenceEquals(hostSite, site))
            {
                return true;
            }

            error = "'host' belongs to another site than this origin key";
        }

        _reporter.Refused(requestId, "POST", DenyReason.InvalidRequestBody, state.Version);
        return false;
    }

    /// <summary>The decision on the described request, with the proxy path's ledger waits, reported to the decision log.</summary>
    public async ValueTask<Decision> DecideAsync(EdgeState state, SiteRuntime site, AuthorizeRequest request, string requestId)
    {
        // The origin passes its raw path: the same ambiguity rules as proxy mode, then the same decoding.
        var rawPath = request.Path!;
        var query = rawPath.IndexOf('?', StringComparison.Ordinal);
        var pathOnly = query < 0 ? rawPath : rawPath[..query];
        var verdict = RequestPathGuard.Check(pathOnly);
        Decision decision;
        if (verdict != PathVerdict.Ok)
        {
            decision = default;
            decision.Outcome = DecisionOutcome.Denied;
            decision.Reason = verdict == PathVerdict.Ambiguous ? DenyReason.AmbiguousPath : DenyReason.InvalidPath;
        }
        else
        {
            var method = request.Method!.ToUpperInvariant();
            var path = Uri.UnescapeDataString(pathOnly);
            _engine.Decide(state, site, path, method, request.Token.AsSpan().Trim(), ambiguousCredentials: false, out decision);
            for (var attempt = 0; attempt < DecisionEngine.MaxLedgerWaits && decision.Pending != EnforceVerdict.Admitted; attempt++)
            {
                await _engine.ResolveAsync(decision).ConfigureAwait(false);
                _engine.Decide(state, site, path, method, request.Token.AsSpan().Trim(), ambiguousCredentials: false, out decision);
            }
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Decision(_logger, requestId, request.Method!, site.Id, decision.Resource?.Resource.Id ?? "-", decision.Token?.Id ?? "-", decision.Outcome, decision.Reason);
        }

        _reporter.Decided(requestId, site, request.Method!, decision, state.Version);
        return decision;
    }

    private static bool TryFindSiteByOriginKey(EdgeState state, ReadOnlySpan<char> authorization, out SiteRuntime site)
    {
        site = null!;
        var value = authorization.Trim();
        if (value.Length <= 7 || !value[..7].Equals("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var key = value[7..].Trim();

        // Same bound as tokens: the cap limits what an unauthenticated caller can make us hash.
        if (key.IsEmpty || key.Length > 256)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(256)];
        var length = Encoding.UTF8.GetBytes(key, bytes);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes[..length], hash);
        return state.TryGetSiteByOriginKey(Key128.FromHash(hash), out site)
            && CryptographicOperations.FixedTimeEquals(hash, site.Site.OriginKeyHash);
    }

    private static async Task<ArraySegment<byte>?> ReadBodyAsync(HttpContext context)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        var total = 0;
        var body = context.Request.Body;
        while (true)
        {
            var read = await body.ReadAsync(buffer.AsMemory(total, buffer.Length - total), context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (total > MaxBodyBytes)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }
        }

        return new ArraySegment<byte>(buffer, 0, total);
    }

    /// <summary>The answer's JSON body (headers are the adapter's: the request id, Cache-Control, the RateLimit headers).</summary>
    public static void WriteAnswer(IBufferWriter<byte> body, in Decision decision, string requestId)
    {
        var info = DenyReasons.Get(decision.Reason);
        var plan = decision.Plan;
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("allow"u8, !decision.IsDenied);
            writer.WriteNumber("status"u8, decision.IsDenied ? info.Status : 200);
            writer.WriteString("reason"u8, decision.IsDenied ? info.Code : decision.Outcome == DecisionOutcome.Passthrough ? "unprotected" : "allowed");
            WriteStringOrNull(writer, "customer"u8, decision.Token?.Customer);
            WriteStringOrNull(writer, "plan"u8, plan?.Plan.Id);
            WriteStringOrNull(writer, "tokenId"u8, decision.Token?.Id);

            // limit/remaining/reset describe the limit that binds: the rate window on a rate-limit
            // denial or when the plan has no quota, else the period quota. reset is Unix seconds.
            if (decision.Counted && plan is not null)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var rateBinds = decision.Reason == DenyReason.RateLimited || !plan.HasQuota;
                writer.WriteNumber("limit"u8, rateBinds ? plan.RateLimit : plan.QuotaUnits);
                writer.WriteNumber("remaining"u8, rateBinds ? decision.RateRemaining : decision.QuotaRemaining);
                writer.WriteNumber("reset"u8, rateBinds ? now + decision.RateResetSeconds : decision.QuotaResetUnix);
            }
            else
            {
                writer.WriteNull("limit"u8);
                writer.WriteNull("remaining"u8);
                writer.WriteNull("reset"u8);
            }

            if (decision.RetryAfterSeconds > 0)
            {
                writer.WriteNumber("retryAfter"u8, decision.RetryAfterSeconds);
            }

            // Middleware mode charges too: what the call cost, so the origin can show or record it.
            if (decision.ChargedMicros > 0)
            {
                writer.WriteNumber("chargedMicros"u8, decision.ChargedMicros);
                writer.WriteString("currency"u8, decision.ChargedCurrency);
                writer.WriteNumber("balanceMicros"u8, decision.BalanceMicros);
            }

            if (decision.IsDenied)
            {
                writer.WritePropertyName("problem"u8);
                ProblemWriter.Write(writer, decision.Reason, null, requestId, Payments.PaymentDue.From(decision));
                if (decision.Reason == DenyReason.MethodNotAllowed && decision.Route is not null)
                {
                    writer.WriteString("allowHeader"u8, decision.Route.AllowHeader);
                }
            }

            writer.WriteString("requestId"u8, requestId);
            writer.WriteEndObject();
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
