using EdgeFence.Core.Model;
using EdgeFence.Edge.DecisionLog;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Snapshots;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// x402 pay-per-call at the edge. A resource paid with <see cref="ResourcePayment.X402"/> needs no
/// token: a call without payment gets 402 and the offer; a call with one is checked, claimed against
/// replays, verified and settled through the site's facilitator, and only then forwarded.
/// <see cref="ResourcePayment.TokenOrX402"/> decides token holders as before (and offers x402 on the
/// 429/402 that refuses them); a caller without a token pays.
/// </summary>
/// <remarks>
/// Settlement is <b>upfront</b>: verify → settle → forward. The reference server settles after the
/// handler, which needs the whole response buffered (settle may fail, and then the answer must be a
/// 402): that breaks streaming (server-sent events, downloads, MCP streams), holds every paid
/// response in memory, and is not possible at all once YARP has started streaming the origin's
/// answer. Upfront, the body streams untouched and an unpaid request never reaches the origin; the
/// cost is that a payer is charged when the origin then fails: the decision log records the
/// settlement transaction next to the origin's status, which is what a refund needs.
/// </remarks>
internal sealed class X402Gate : IDisposable
{
    private readonly FacilitatorClient _facilitator;
    private readonly PaymentReplayGuard _guard;
    private readonly X402TermsCache _terms = new();
    private readonly TimeProvider _time;
    private readonly DecisionReporter _reporter;
    private readonly ILogger _logger;

    public X402Gate(FacilitatorClient facilitator, PaymentReplayGuard guard, TimeProvider time, DecisionReporter reporter, ILogger<X402Gate> logger)
    {
        _facilitator = facilitator;
        _guard = guard;
        _time = time;
        _reporter = reporter;
        _logger = logger;
    }

    /// <summary>
    /// Takes the request when payment decides it: the resource is x402-only, or accepts x402 and the
    /// caller has no token. Otherwise false, and the token path decides as before.
    /// </summary>
    public bool TryTake(HttpContext context, EdgeState state, SiteRuntime site, string sitePath, long start, PaidForward forward, out Task answer)
    {
        answer = Task.CompletedTask;

        // Sites without x402 pay one null check; the resource match below is the engine's own step 1-2.
        if (site.Site.X402 is null || !site.Matcher.TryMatch(sitePath, out var match))
        {
            return false;
        }

        var route = site.Routes[match.EntryId];
        var resource = route.ForMethod(context.Request.Method);
        if (resource is null || resource.Resource.Payment == ResourcePayment.Token)
        {
            return false;
        }

        if (resource.Resource.Payment == ResourcePayment.TokenOrX402)
        {
            var token = Credentials.Find(context.Request.Headers, out var ambiguous);
            if (!token.IsEmpty || ambiguous)
            {
                return false;
            }
        }

        answer = PayAsync(context, state, site, route, resource, match.RemainderStart, sitePath, start, forward);
        return true;
    }

    /// <summary>
    /// The beyond-the-peers row: a token holder refused because its quota (or balance) is used up
    /// gets, on that same answer, the x402 offer for this one call.
    /// </summary>
    public void OfferOnRefusal(HttpContext context, SiteRuntime site, in Decision decision)
    {
        if (decision.Resource is not { } resource || resource.Resource.Payment != ResourcePayment.TokenOrX402
            || decision.Reason is not (DenyReason.QuotaExhausted or DenyReason.InsufficientBalance)
            || _terms.For(site, resource) is not { } terms)
        {
            return;
        }

        var headers = context.Response.Headers;
        headers[X402Headers.PaymentRequired] = PaymentRequirementsWriter.HeaderValue(terms, ResourceUrl(context.Request), "Pay for this call with x402");
        headers.AccessControlExposeHeaders = X402Headers.ExposeHeaders;
    }

    private async Task PayAsync(HttpContext context, EdgeState state, SiteRuntime site, RouteRuntime route, ResourceRuntime resource, int remainderStart, string sitePath, long start, PaidForward forward)
    {
        var requestId = RequestIds.Next();
        var request = context.Request;
        var decision = new Decision { Route = route, Resource = resource, RemainderStart = remainderStart };
        var resourceUrl = ResourceUrl(request);

        // :: Step 1: the terms of this resource (built once per snapshot).
        var terms = _terms.For(site, resource);
        if (terms is null)
        {
            await RefuseAsync(context, state, site, decision, requestId, DenyReason.PaymentUnavailable, "this resource has no valid x402 price", null, resourceUrl).ConfigureAwait(false);
            return;
        }

        // :: Step 2: the payment header: PAYMENT-SIGNATURE (v2) or X-PAYMENT (v1, and some v2 agents). One, once.
        var headers = request.Headers;
        var signature = headers[X402Headers.PaymentSignature];
        var xPayment = headers[X402Headers.XPayment];
        if (signature.Count + xPayment.Count == 0)
        {
            if (resource.Resource.Payment == ResourcePayment.TokenOrX402)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"edgefence\"";
            }

            await RefuseAsync(context, state, site, decision, requestId, DenyReason.PaymentRequired, null, terms, resourceUrl).ConfigureAwait(false);
            return;
        }

        if (signature.Count + xPayment.Count > 1)
        {
            await RefuseAsync(context, state, site, decision, requestId, DenyReason.PaymentInvalid, "send one payment header, once", terms, resourceUrl).ConfigureAwait(false);
            return;
        }

        var cameAsXPayment = xPayment.Count == 1;
        var now = _time.GetUtcNow().ToUnixTimeSeconds();

        // :: Step 3: strict parse and the local checks (shape, network, amount, payee, time).
        var reason = PaymentHeaderReader.TryRead((cameAsXPayment ? xPayment[0] : signature[0]) ?? "", terms, now, out var payment, out var detail);
        if (reason != DenyReason.None)
        {
            await RefuseAsync(context, state, site, decision, requestId, reason, detail, terms, resourceUrl).ConfigureAwait(false);
            return;
        }

        // :: Step 4: claim the payment, atomically: a concurrent or later copy of it stops here.
        var key = PaymentKey.For(terms.Network, terms.Asset, payment!.From, payment.Nonce);
        switch (_guard.TryClaim(key, payment.ValidBefore, now))
        {
            case ReplayClaim.AlreadyUsed:
                await RefuseAsync(context, state, site, decision, requestId, DenyReason.PaymentReplayed, "this payment was already presented; sign a new one", terms, resourceUrl).ConfigureAwait(false);
                return;
            case ReplayClaim.Full:
                Log.PaymentGuardFull(_logger, requestId, site.Id);
                await RefuseAsync(context, state, site, decision, requestId, DenyReason.PaymentUnavailable, "too many payments in flight", terms, resourceUrl).ConfigureAwait(false);
                return;
        }

        // :: Step 5: verify. Invalid or unanswered: no money moved, so the claim is given back.
        var verified = await _facilitator.VerifyAsync(terms, payment, resourceUrl, context.RequestAborted).ConfigureAwait(false);
        if (verified.Outcome != FacilitatorOutcome.Succeeded)
        {
            _guard.Release(key);
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            if (verified.Outcome == FacilitatorOutcome.Unavailable)
            {
                Log.FacilitatorUnavailable(_logger, requestId, site.Id, "verify", verified.Reason ?? "");
                await RefuseAsync(context, state, site, decision, requestId, DenyReason.PaymentUnavailable, "the payment facilitator did not answer usably; retry later", terms, resourceUrl).ConfigureAwait(false);
                return;
            }

            // The chain's own replay defence, seen through the facilitator (e.g. after an edge restart forgot the claim).
            reason = verified.Reason is { } r && r.Contains("nonce_already_used", StringComparison.Ordinal) ? DenyReason.PaymentReplayed : DenyReason.PaymentRejected;
            await RefuseAsync(context, state, site, decision, requestId, reason, "facilitator: " + verified.Reason, terms, resourceUrl).ConfigureAwait(false);
            return;
        }

        // :: Step 6: settle, before forwarding (see remarks). From here the claim is kept, whatever happens:
        // an unanswered settle may still have moved the money, and a payment must never be forwarded twice.
        var settled = await _facilitator.SettleAsync(terms, payment, resourceUrl).ConfigureAwait(false);
        var v1 = payment.Version == 1 || cameAsXPayment;
        if (settled.Outcome != FacilitatorOutcome.Succeeded)
        {
            if (settled.Outcome == FacilitatorOutcome.Unavailable)
            {
                Log.FacilitatorUnavailable(_logger, requestId, site.Id, "settle", settled.Reason ?? "");
                await RefuseAsync(context, state, site, decision, requestId, DenyReason.PaymentUnavailable, "the payment facilitator did not confirm the settlement; retry later with a new payment", terms, resourceUrl).ConfigureAwait(false);
                return;
            }

            var failed = SettlementResponseWriter.HeaderValue(settled, terms.Network, verified.Payer ?? payment.From);
            await RefuseAsync(context, state, site, decision, requestId, DenyReason.PaymentSettleFailed, "facilitator: " + settled.Reason, terms, resourceUrl, failed, v1).ConfigureAwait(false);
            return;
        }

        // :: Step 7: forward as an allowed call, charged the price, the payer as the customer. The payment
        // header stays at the edge (an origin with its own x402 middleware would try to settle it again).
        var payer = (settled.Payer ?? verified.Payer ?? payment.From).ToLowerInvariant();
        Log.PaymentSettled(_logger, requestId, site.Id, payer, settled.Transaction!);
        decision.Outcome = DecisionOutcome.Allowed;
        decision.ChargedMicros = terms.PriceMicros;
        decision.ChargedCurrency = terms.Currency;
        decision.PaidBy = "x402:" + payer;
        decision.PaymentTransaction = settled.Transaction;
        headers.Remove(X402Headers.PaymentSignature);
        headers.Remove(X402Headers.XPayment);
        PaidResponseHeaders.Register(context.Response, SettlementResponseWriter.HeaderValue(settled, terms.Network, payer), v1);
        await forward(context, site, decision, sitePath, requestId, state.Version, start).ConfigureAwait(false);
    }

    private Task RefuseAsync(HttpContext context, EdgeState state, SiteRuntime site, Decision decision, string requestId, DenyReason reason, string? detail, X402Terms? terms, string resourceUrl, string? settlement = null, bool v1 = false)
    {
        Log.PaymentRefused(_logger, requestId, reason, detail ?? "");
        decision.Outcome = DecisionOutcome.Denied;
        decision.Reason = reason;
        _reporter.Decided(requestId, site, context.Request.Method, decision, state.Version);
        return terms is null
            ? ProblemWriter.WriteAsync(context, reason, detail, requestId)
            : PaymentProblemWriter.WriteAsync(context, reason, detail, requestId, terms, resourceUrl, settlement, v1);
    }

    /// <summary>The URL the client called, as the offer's <c>resource.url</c> (the reference uses the request URL too).</summary>
    private static string ResourceUrl(HttpRequest request)
        => string.Concat(request.Scheme, "://", request.Host.Value, request.PathBase.Value, request.Path.Value, request.QueryString.Value);

    public void Dispose() => _facilitator.Dispose();
}
