using EdgeFence.AspNetCore.Logging;
using EdgeFence.AspNetCore.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace EdgeFence.AspNetCore.Signature;

/// <summary>
/// Proxy mode: lets through only requests the edge signed, for exactly the method and target this
/// origin received, recently, and once. Anything else gets 401 <c>urn:edgefence:problem:invalid-signature</c>.
/// </summary>
internal sealed class SignatureMiddleware
{
    public const string Reason = "invalid-signature";

    private readonly RequestDelegate _next;
    private readonly byte[] _key;
    private readonly long _toleranceSeconds;
    private readonly TimeProvider _time;
    private readonly ReplayCache? _replays;
    private readonly ILogger _logger;

    public SignatureMiddleware(RequestDelegate next, EdgeFenceSignatureOptions options, ILogger<SignatureMiddleware> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Tolerance, TimeSpan.FromSeconds(1), "options.Tolerance");
        _next = next;
        _key = options.HmacSecret.ToArray();
        _toleranceSeconds = (long)options.Tolerance.TotalSeconds;
        _time = options.TimeProvider ?? throw new ArgumentException("options.TimeProvider must not be null", nameof(options));
        _replays = options.ReplayProtection ? new ReplayCache(options.ReplayCacheSize) : null;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var verdict = Check(context, out var identity);
        if (verdict != SignatureVerdict.Valid)
        {
            Log.SignatureRefused(_logger, context.Request.Method, context.Request.Path.Value, verdict);
            context.Response.Headers.WWWAuthenticate = "EdgeFence-Signature";
            return ProblemResponse.WriteAsync(context, StatusCodes.Status401Unauthorized, Reason, "The request is not signed by EdgeFence", Detail(verdict));
        }

        context.Features.Set<IEdgeFenceIdentityFeature>(identity);
        return _next(context);
    }

    private SignatureVerdict Check(HttpContext context, out EdgeFenceIdentityFeature? identity)
    {
        identity = null;
        var headers = context.Request.Headers;

        // Each signed header must appear at most once: a repeated one would be joined with commas
        // here, and which of its values the application reads later would be anyone's guess.
        var signature = headers[EdgeFenceHeaders.Signature];
        if (signature.Count == 0)
        {
            return SignatureVerdict.Missing;
        }

        if (signature.Count > 1
            || !TrySingle(headers, EdgeFenceHeaders.TokenId, out var tokenId)
            || !TrySingle(headers, EdgeFenceHeaders.Customer, out var customer)
            || !TrySingle(headers, EdgeFenceHeaders.Plan, out var plan)
            || !TrySingle(headers, EdgeFenceHeaders.RequestId, out var requestId)
            || !TrySingle(headers, EdgeFenceHeaders.Charged, out var charged))
        {
            return SignatureVerdict.Malformed;
        }

        // The raw request-target, as the edge signed it: Request.Path is decoded, and a different
        // spelling of the same decoded path must not verify.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var verdict = SignatureVerifier.Verify(_key, signature[0], now, _toleranceSeconds, context.Request.Method, rawTarget, tokenId, customer, plan, requestId, charged, out var timestamp);
        if (verdict != SignatureVerdict.Valid)
        {
            return verdict;
        }

        // Only after the MAC: an unsigned request must not be able to fill the cache or block an id.
        if (_replays is not null)
        {
            if (requestId.Length == 0)
            {
                return SignatureVerdict.MissingRequestId;
            }

            if (!_replays.TryAdd(requestId, timestamp + _toleranceSeconds, now))
            {
                return SignatureVerdict.Replayed;
            }
        }

        // Signed, so well formed unless the edge and this SDK disagree on the format: then it reads as no charge.
        long chargedMicros = 0;
        string? chargedCurrency = null;
        var space = charged.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && long.TryParse(charged.AsSpan(0, space), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var micros))
        {
            chargedMicros = micros;
            chargedCurrency = charged[(space + 1)..];
        }

        identity = new EdgeFenceIdentityFeature(NullIfEmpty(customer), NullIfEmpty(plan), NullIfEmpty(tokenId), requestId, chargedMicros, chargedCurrency);
        return SignatureVerdict.Valid;
    }

    private static bool TrySingle(IHeaderDictionary headers, string name, out string value)
    {
        var values = headers[name];
        value = values.Count == 1 ? values[0] ?? "" : "";
        return values.Count <= 1;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string Detail(SignatureVerdict verdict) => verdict switch
    {
        SignatureVerdict.Missing => "the request carries no X-EdgeFence-Signature header",
        SignatureVerdict.Malformed => "X-EdgeFence-Signature is not 't=<unix seconds>,v2=<64 lowercase hex digits>' (or v1), or a signed header is repeated",
        SignatureVerdict.Expired => "the signature's timestamp is outside the accepted window",
        SignatureVerdict.Mismatch => "the signature does not match this request",
        SignatureVerdict.MissingRequestId => "the request carries no X-EdgeFence-Request-Id",
        SignatureVerdict.Replayed => "this request id has already been accepted",
        _ => "the signature is not valid",
    };
}
