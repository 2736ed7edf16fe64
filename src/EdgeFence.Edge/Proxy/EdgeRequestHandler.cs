using System.Diagnostics;
using EdgeFence.Core.Paths;
using EdgeFence.Edge.Authorize;
using EdgeFence.Edge.DecisionLog;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Mcp;
using EdgeFence.Edge.OpenAi;
using EdgeFence.Edge.Payments.X402;
using EdgeFence.Edge.Proxy.Upstream;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy;

/// <summary>
/// The public listener's only endpoint: proxy mode for every request, and middleware mode at
/// <c>POST /v1/authorize</c>. The request body is never read here (an MCP endpoint's is only peeked, Mcp/); the forwarder streams it to the origin.
/// </summary>
internal sealed class EdgeRequestHandler
{
    private readonly SnapshotManager _snapshots;
    private readonly DecisionEngine _engine;
    private readonly AuthorizeHandler _authorize;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _originClient;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly UpstreamForwarder? _upstream;
    private readonly TimeProvider _time;
    private readonly DecisionReporter _reporter;
    private readonly ILogger _logger;
    private readonly X402Gate _x402;
    private readonly PaidForward _forwardPaid;

    public EdgeRequestHandler(SnapshotManager snapshots, DecisionEngine engine, AuthorizeHandler authorize, IHttpForwarder forwarder, HttpMessageInvoker originClient, ForwarderRequestConfig requestConfig, UpstreamForwarder? upstream, TimeProvider time, DecisionReporter reporter, X402Gate x402, ILogger<EdgeRequestHandler> logger)
    {
        _x402 = x402;
        _forwardPaid = ForwardAsync;
        _reporter = reporter;
        _snapshots = snapshots;
        _engine = engine;
        _authorize = authorize;
        _forwarder = forwarder;
        _originClient = originClient;
        _requestConfig = requestConfig;
        _upstream = upstream;
        _time = time;
        _logger = logger;
    }

    public Task HandleAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.Path.Equals(AuthorizeHandler.Path, StringComparison.Ordinal))
        {
            return _authorize.HandleAsync(context);
        }

        // :: Step 1: the one config this request will see.
        var state = _snapshots.Current;
        if (state is null)
        {
            return Refuse(context, DenyReason.NoSnapshot, "no snapshot has been loaded; push one to PUT /v1/snapshot on the admin listener", 0);
        }

        // :: Step 2: request smuggling defence. Kestrel lets Transfer-Encoding win (and moves Content-Length
        // to X-Content-Length), but a front proxy may have used Content-Length: a request framed two ways
        // is refused, not guessed at.
        var headers = request.Headers;
        if (headers.TransferEncoding.Count > 0 && (headers.ContentLength is not null || headers.ContainsKey("X-Content-Length")))
        {
            return Refuse(context, DenyReason.AmbiguousFraming, null, state.Version);
        }

        // A control character in a header value (Kestrel's parser lets all but NUL, CR and LF through) cannot be forwarded
        // in a head and is refused before anything is counted, as the fast path's parser refuses it; the connection closes.
        if (HasUnwritableHeader(headers))
        {
            context.Response.Headers.Connection = "close";
            return Refuse(context, DenyReason.InvalidHeader, null, state.Version);
        }

        // :: Step 3: the path exactly as sent. Any spelling that could decode differently at the origin is refused.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "";
        switch (RequestPathGuard.Check(rawTarget))
        {
            case PathVerdict.Ok:
                break;
            case PathVerdict.Ambiguous:
                return Refuse(context, DenyReason.AmbiguousPath, "encoded slashes or backslashes, NUL, double encoding, empty or dot segments and ';' are not accepted", state.Version);
            default:
                return Refuse(context, DenyReason.InvalidPath, null, state.Version);
        }

        // :: Step 4: site by Host, else by the first path segment (stripped before forwarding).
        var path = request.Path.Value ?? "/";
        if (!TryFindSite(state, headers, path, out var site, out var sitePath))
        {
            return Refuse(context, DenyReason.UnknownSite, null, state.Version);
        }

        // :: Step 5: x402 pay-per-call decides resources paid by payment, not by token (Payments/X402/X402Gate.cs).
        if (_x402.TryTake(context, state, site, sitePath, start, _forwardPaid, out var paying))
        {
            return paying;
        }

        if ((site.HasMcp || site.HasOpenAi) && site.Matcher.TryMatch(sitePath, out var match))
        {
            // :: Step 6: an MCP endpoint is priced per JSON-RPC call in the body, not per request (Mcp/).
            var route = site.Routes[match.EntryId];
            if (route.McpEndpoint is { } endpoint)
            {
                return HandleMcpAsync(context, state, site, sitePath, route, endpoint, start);
            }

            // :: Step 7: an OpenAI-compatible endpoint reserves its tokens' price and settles from the response's usage (OpenAi/).
            if (route.OpenAiEndpoint is { } openAi && HttpMethods.IsPost(request.Method))
            {
                return HandleOpenAiAsync(context, state, site, sitePath, openAi, start);
            }
        }

        // :: Step 8: decide (and count).
        var token = Credentials.Find(headers, out var ambiguous);
        _engine.Decide(state, site, sitePath, request.Method, token, ambiguous, out var decision);
        if (decision.Pending != EnforceVerdict.Admitted)
        {
            return DecideAfterLedgerAsync(context, state, site, sitePath, decision, start);
        }

        return RespondAsync(context, state, site, sitePath, decision, start);
    }

    /// <summary>
    /// An MCP endpoint: the calls come from the 2026-07-28 headers or a bounded peek at the body (which still
    /// reaches the origin whole), are priced per call, and are decided as one request by the same engine, so
    /// quotas, balances and x402 offers apply unchanged. Refusals are JSON-RPC errors for the request's ids.
    /// </summary>
    private async Task HandleMcpAsync(HttpContext context, EdgeState state, SiteRuntime site, string sitePath, RouteRuntime route, ResourceRuntime endpoint, long start)
    {
        McpRequest? mcp = null;
        CallSet calls;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            mcp = await McpRequestReader.ReadAsync(context).ConfigureAwait(false);
            if (mcp.Status != 0)
            {
                var requestId = RequestIds.Next();
                Log.ClientError(_logger, requestId, DenyReason.InvalidRequestBody);
                _reporter.Refused(requestId, context.Request.Method, DenyReason.InvalidRequestBody, state.Version);
                await McpErrorWriter.WriteAsync(context, mcp, requestId).ConfigureAwait(false);
                return;
            }

            calls = McpPricing.Price(endpoint, route, mcp.Calls);
        }
        else
        {
            calls = McpPricing.Transport(endpoint);
        }

        Decide(context, state, site, sitePath, calls, out var first);
        var decision = await ResolvePendingAsync(context, state, site, sitePath, calls, first).ConfigureAwait(false);

        // A tools/list the site filters (opt-in): the answer is held, rewritten to the caller's plan, then sent.
        if (site.Site.McpFilterTools && !decision.IsDenied && decision.Plan is { } plan && mcp is { IsBatch: false, Calls: [{ Method: McpMethods.ToolsList }] })
        {
            await RespondFilteredAsync(context, state, site, sitePath, decision, start, mcp, tool => plan.CoversResource(route.McpTools?.GetValueOrDefault(tool) ?? endpoint)).ConfigureAwait(false);
            return;
        }

        await RespondAsync(context, state, site, sitePath, decision, start, mcp).ConfigureAwait(false);
    }

    /// <summary>
    /// Forwards with the response body held in memory (<see cref="McpLimits.MaxToolsListAnswerBytes"/> at most),
    /// then sends the answer with the tools the plan lacks removed (<see cref="McpToolsFilter"/>); an answer the
    /// filter does not understand (an error status, another content type) is sent as it came.
    /// </summary>
    private async Task RespondFilteredAsync(HttpContext context, EdgeState state, SiteRuntime site, string sitePath, Decision decision, long start, McpRequest mcp, Func<string, bool> keep)
    {
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var capture = new McpAnswerCapture(McpLimits.MaxToolsListAnswerBytes);
        var held = new StreamResponseBodyFeature(capture, original);
        context.Features.Set<IHttpResponseBodyFeature>(held);
        try
        {
            await RespondAsync(context, state, site, sitePath, decision, start, mcp).ConfigureAwait(false);
            await held.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            context.Features.Set(original);
        }

        if (capture.Overflowed)
        {
            Log.McpAnswerTooLarge(_logger, site.Id, McpLimits.MaxToolsListAnswerBytes);
            context.Response.Headers.Clear();
            await McpErrorWriter.WriteOriginErrorAsync(context, mcp, RequestIds.Next(),
                $"The origin's tools/list answer is over the edge's {McpLimits.MaxToolsListAnswerBytes / 1024} KiB filter limit").ConfigureAwait(false);
            return;
        }

        var filtered = context.Response.StatusCode == StatusCodes.Status200OK ? McpToolsFilter.Filter(capture.Captured, context.Response.ContentType, keep, out _) : null;
        var body = filtered ?? capture.Captured.ToArray();
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// An OpenAI-compatible call: the whole body (bounded) says the model and the completion tokens allowed; the
    /// call is decided as one request whose price is that reservation, so quotas, rate limits and balances apply
    /// unchanged; the response streams to the client while its usage is read; then the balance is settled once.
    /// </summary>
    private async Task HandleOpenAiAsync(HttpContext context, EdgeState state, SiteRuntime site, string sitePath, ResourceRuntime endpoint, long start)
    {
        // :: Step 7.1: the body, peeked whole (it still reaches the origin byte for byte), and the model's price.
        var ai = await OpenAiRequestReader.ReadAsync(context).ConfigureAwait(false);
        var price = default(Core.Model.OpenAiModelPrice);
        if (ai.Status == 0 && !OpenAiPricing.TryFind(endpoint.Resource, ai.Model!, out price))
        {
            ai = OpenAiRequest.Refused(404, "this endpoint sells no model of that name");
        }

        // The end user, from the body's user or a header: one app token, many users, each with their own balance and limits.
        string? endUser = null;
        var code = ai.Status == 404 ? "model_not_found" : DenyReasons.Get(DenyReason.InvalidRequestBody).Code;
        if (ai.Status == 0)
        {
            endUser = OpenAiEndUser.Resolve(context.Request.Headers, endpoint.Resource, ai.User, out var problem);
            if (problem is not null)
            {
                ai = OpenAiRequest.Refused(400, problem);
                code = "invalid-end-user";
            }
        }

        if (ai.Status != 0)
        {
            var refusedId = RequestIds.Next();
            OpenAiLog.Refused(_logger, refusedId, ai.Status, ai.Problem!);
            _reporter.Refused(refusedId, context.Request.Method, DenyReason.InvalidRequestBody, state.Version);
            await OpenAiErrorWriter.WriteAsync(context, ai.Status, ai.Problem!, code, refusedId).ConfigureAwait(false);
            return;
        }

        // :: Step 7.2: decide with the reservation as the price: a reservation the balance does not cover is refused.
        var reserved = OpenAiPricing.Reservation(endpoint.Resource, price, ai);
        var calls = new CallSet(endpoint, reserved) { EndUser = endUser };
        Decide(context, state, site, sitePath, calls, out var first);
        var decision = await ResolvePendingAsync(context, state, site, sitePath, calls, first).ConfigureAwait(false);

        var requestId = RequestIds.Next();
        if (decision.IsDenied)
        {
            _reporter.Decided(requestId, site, context.Request.Method, decision, state.Version);
            _reporter.Metrics.EdgeTime(start);
            RateLimitHeaders.Apply(context.Response.Headers, decision);
            await OpenAiErrorWriter.WriteAsync(context, decision, requestId).ConfigureAwait(false);
            return;
        }

        // :: Step 7.3: forward with the response body watched for usage (the origin sees the reservation in X-EdgeFence-Charged).
        var body = context.Response.Body;
        var call = new OpenAiMeteredCall(price, decision.ChargedMicros, new OpenAiUsageStream(body, context.Response), usageNotAsked: ai.Stream && !ai.IncludeUsage, originUsageHeader: endpoint.Resource.OpenAiOriginUsageHeader);
        context.Response.Body = call.Stream;
        try
        {
            await ForwardAsync(context, site, decision, sitePath, requestId, state.Version, start, call).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = body;
            await call.Stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Settles a metered call exactly once, when its response has ended: the usage's cost (capped) if the response
    /// reported it, else the reservation (a stream cut short, a client gone, an origin that said nothing).
    /// </summary>
    private Decision Settle(HttpContext context, Decision decision, OpenAiMeteredCall call, string requestId)
    {
        // A trusted origin's own report (header or trailer) wins over the body's usage.
        if (call.OriginReportedIn is { } reportedIn)
        {
            if (call.OriginCapped)
            {
                OpenAiLog.UsageCapped(_logger, requestId, Core.Model.OpenAiDefaults.MaxTokenCount);
            }

            OpenAiLog.OriginReported(_logger, requestId, reportedIn);
            return Charge(decision, call, requestId, call.OriginPromptTokens, call.OriginCompletionTokens);
        }

        var scanner = call.Stream.Scanner;
        if (scanner is not { Found: true })
        {
            if (call.UsageNotAsked && scanner is not { GaveUp: true } && !context.RequestAborted.IsCancellationRequested)
            {
                OpenAiLog.UsageNotAsked(_logger, requestId, call.ReservedMicros);
                return decision;
            }

            var why = context.RequestAborted.IsCancellationRequested ? "the client went away"
                : scanner is { GaveUp: true } ? "the response could not be followed" : "the response ended without usage";
            OpenAiLog.UsageMissing(_logger, requestId, why, call.ReservedMicros);
            return decision;
        }

        if (scanner.Capped)
        {
            OpenAiLog.UsageCapped(_logger, requestId, Core.Model.OpenAiDefaults.MaxTokenCount);
        }

        return Charge(decision, call, requestId, scanner.PromptTokens, scanner.CompletionTokens);
    }

    private Decision Charge(Decision decision, OpenAiMeteredCall call, string requestId, long promptTokens, long completionTokens)
    {
        var actual = OpenAiPricing.Cost(call.Price, promptTokens, completionTokens);
        var charged = call.ReservedMicros > 0 && decision.Token is not null ? _engine.Settle(decision, call.ReservedMicros, actual) : 0;
        if (actual > call.ReservedMicros && call.ReservedMicros > 0)
        {
            OpenAiLog.OverReservation(_logger, requestId, actual, call.ReservedMicros, charged);
        }

        OpenAiLog.Settled(_logger, requestId, call.ReservedMicros, promptTokens, completionTokens, charged);
        decision.ChargedMicros = charged;
        return decision;
    }

    /// <summary>
    /// The uncommon case in shared-quota mode: the decision waits for a lease (prefetch did not keep
    /// up) or for the post-restart resync. Bounded by LeaseTimeoutMs per try; then Redis counts as down
    /// and the decision is local.
    /// </summary>
    private async Task DecideAfterLedgerAsync(HttpContext context, EdgeState state, SiteRuntime site, string sitePath, Decision decision, long start)
    {
        decision = await ResolvePendingAsync(context, state, site, sitePath, calls: null, decision).ConfigureAwait(false);

        await RespondAsync(context, state, site, sitePath, decision, start).ConfigureAwait(false);
    }

    /// <summary>Decides again while the decision waits on the ledger: at most <see cref="DecisionEngine.MaxLedgerWaits"/> tries, each bounded by LeaseTimeoutMs.</summary>
    private async ValueTask<Decision> ResolvePendingAsync(HttpContext context, EdgeState state, SiteRuntime site, string sitePath, CallSet? calls, Decision decision)
    {
        for (var attempt = 0; attempt < DecisionEngine.MaxLedgerWaits && decision.Pending != EnforceVerdict.Admitted; attempt++)
        {
            await _engine.ResolveAsync(decision).ConfigureAwait(false);
            Decide(context, state, site, sitePath, calls, out decision);
        }

        return decision;
    }

    // A span cannot live across an await: the token is found again in the headers.
    private void Decide(HttpContext context, EdgeState state, SiteRuntime site, string sitePath, out Decision decision)
        => Decide(context, state, site, sitePath, calls: null, out decision);

    private void Decide(HttpContext context, EdgeState state, SiteRuntime site, string sitePath, CallSet? calls, out Decision decision)
    {
        var token = Credentials.Find(context.Request.Headers, out var ambiguous);
        _engine.Decide(state, site, sitePath, context.Request.Method, token, ambiguous, calls, out decision);
    }

    private Task RespondAsync(HttpContext context, EdgeState state, SiteRuntime site, string sitePath, in Decision decision, long start, McpRequest? mcp = null)
    {
        var request = context.Request;
        var requestId = RequestIds.Next();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Decision(_logger, requestId, request.Method, site.Id, decision.Resource?.Resource.Id ?? "-", decision.Token?.Id ?? "-", decision.Outcome, decision.Reason);
        }

        if (decision.IsDenied)
        {
            _reporter.Decided(requestId, site, request.Method, decision, state.Version);
            _reporter.Metrics.EdgeTime(start);
            RateLimitHeaders.Apply(context.Response.Headers, decision);
            if (decision.Reason == DenyReason.MethodNotAllowed && decision.Route is not null)
            {
                context.Response.Headers.Allow = decision.Route.AllowHeader;
            }

            _x402.OfferOnRefusal(context, site, decision);

            return mcp is null ? ProblemWriter.WriteAsync(context, decision, requestId) : McpErrorWriter.WriteAsync(context, decision, requestId, mcp);
        }

        // :: Step 9: forward, streaming both bodies.
        return ForwardAsync(context, site, decision, sitePath, requestId, state.Version, start);
    }

    private Task ForwardAsync(HttpContext context, SiteRuntime site, Decision decision, string sitePath, string requestId, long snapshotVersion, long start)
        => ForwardAsync(context, site, decision, sitePath, requestId, snapshotVersion, start, metered: null);

    private async Task ForwardAsync(HttpContext context, SiteRuntime site, Decision decision, string sitePath, string requestId, long snapshotVersion, long start, OpenAiMeteredCall? metered)
    {
        var transform = new ForwardTransform(context, site, decision, new PathString(ForwardedPath(decision, sitePath)), requestId, _time.GetUtcNow().ToUnixTimeSeconds());
        _reporter.Metrics.EdgeTime(start);
        var sent = Stopwatch.GetTimestamp();

        // The engine: the edge's own for plain HTTP/1.x to http: origins (EdgeFence:Upstream=pipelines), YARP for the rest.
        // A metered call goes through YARP, which writes the response to HttpResponse.Body, where its usage is read.
        var error = _upstream is not null && metered is null && UpstreamForwarder.CanForward(context) && _upstream.PoolFor(site.OriginPrefix) is { } pool
            ? await _upstream.SendAsync(context, pool, transform).ConfigureAwait(false)
            : await _forwarder.SendAsync(context, site.OriginPrefix, _originClient, _requestConfig, new ForwardedRequest(transform, metered)).ConfigureAwait(false);
        var originTime = Stopwatch.GetElapsedTime(sent);
        if (metered is not null)
        {
            decision = Settle(context, decision, metered, requestId);
        }

        if (error == ForwarderError.None)
        {
            _reporter.Forwarded(requestId, site, context.Request.Method, decision, snapshotVersion, context.Response.StatusCode, originTime);
            return;
        }

        var exception = context.GetForwarderErrorFeature()?.Exception;
        var reason = error == ForwarderError.RequestTimedOut ? DenyReason.OriginTimeout : DenyReason.OriginUnreachable;
        var originSide = error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.RequestBodyDestination or ForwarderError.ResponseHeaders
            or ForwarderError.ResponseBodyDestination or ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseDestination or ForwarderError.NoAvailableDestinations;
        if (originSide)
        {
            Log.OriginError(_logger, requestId, site.Id, error.ToString(), exception);
            _reporter.Metrics.OriginError(site.Id);
        }

        var status = context.Response.HasStarted ? context.Response.StatusCode : reason == DenyReason.OriginTimeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
        _reporter.Forwarded(requestId, site, context.Request.Method, decision, snapshotVersion, originSide ? status : context.Response.StatusCode, originTime);

        if (!context.Response.HasStarted && context.Response.StatusCode is StatusCodes.Status502BadGateway or StatusCodes.Status504GatewayTimeout)
        {
            context.Response.Headers.Clear();
            await ProblemWriter.WriteAsync(context, reason, null, requestId).ConfigureAwait(false);
        }
    }

    /// <summary>The origin path: the resource's private path with the catch-all remainder, else the site path unchanged.</summary>
    private static string ForwardedPath(in Decision decision, string sitePath)
    {
        var prefix = decision.Resource?.PrivatePrefix;
        if (prefix is null)
        {
            return sitePath;
        }

        if (decision.RemainderStart < 0 || decision.RemainderStart >= sitePath.Length)
        {
            return prefix.Length == 0 ? "/" : prefix;
        }

        return string.Concat(prefix == "/" ? "" : prefix, sitePath.AsSpan(decision.RemainderStart));
    }

    private static bool TryFindSite(EdgeState state, IHeaderDictionary headers, string path, out SiteRuntime site, out string sitePath)
    {
        var host = headers.Host;
        if (!SiteLookup.TryFind(state, host.Count == 1 ? host[0].AsSpan() : default, path, out site, out var start))
        {
            sitePath = path;
            return false;
        }

        sitePath = start < 0 ? "/" : start == 0 ? path : path[start..];
        return true;
    }

    private static bool HasUnwritableHeader(IHeaderDictionary headers)
    {
        foreach (var (_, values) in headers)
        {
            foreach (var value in values)
            {
                if (!Upstream.HeadBuilder.IsWritable(value))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private Task Refuse(HttpContext context, DenyReason reason, string? detail, long snapshotVersion)
    {
        var requestId = RequestIds.Next();
        Log.ClientError(_logger, requestId, reason);
        _reporter.Refused(requestId, context.Request.Method, reason, snapshotVersion);
        return ProblemWriter.WriteAsync(context, reason, detail, requestId);
    }
}
