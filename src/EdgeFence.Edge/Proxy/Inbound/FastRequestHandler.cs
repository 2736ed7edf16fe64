using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using EdgeFence.Core.Paths;
using EdgeFence.Edge.Authorize;
using EdgeFence.Edge.DecisionLog;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Proxy.Upstream;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>
/// Proxy mode on the fast path: one request read from its bytes (<see cref="RequestHead"/>), decided by the same
/// <see cref="DecisionEngine"/>, transformed by the same <see cref="ForwardTransform"/> and forwarded by
/// <see cref="RawForwarder"/>. It serves the common case and only that: whatever it would have to do differently
/// from <see cref="EdgeRequestHandler"/> (x402, MCP, OpenAI metering, private query parameters,
/// TLS origins, percent-encoded or unusual targets, HTTP/1.0, request bodies not framed by Content-Length,
/// <c>Expect</c>, a request the Kestrel path refuses) is handed, untouched, to Kestrel's stack, which then keeps the
/// connection. So there is one behaviour per request, and the fast path adds no second reading of any of it.
/// </summary>
internal sealed class FastRequestHandler
{
    /// <summary>Longest target the fast path copies to the stack; longer ones (rare) go to Kestrel's stack.</summary>
    private const int MaxTargetChars = 2048;

    /// <summary>Longest Host or credential header value the fast path reads; longer ones go to Kestrel's stack.</summary>
    private const int MaxValueChars = 1024;

    // What a target may hold on the fast path: pchar without '%', plus '/' and '?'. These are the characters that
    // YARP's PathString and Uri leave as they are, so the fast path's target is byte for byte what the Kestrel path
    // would forward (and sign); a target with anything else is the Kestrel path's.
    private static readonly SearchValues<byte> s_plainTarget = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?"u8);

    private readonly SnapshotManager _snapshots;
    private readonly DecisionEngine _engine;
    private readonly UpstreamForwarder _pools;
    private readonly RawForwarder _forwarder;
    private readonly FastAuthorizeHandler _authorize;
    private readonly DecisionReporter _reporter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public FastRequestHandler(SnapshotManager snapshots, DecisionEngine engine, UpstreamForwarder pools, RawForwarder forwarder, FastAuthorizeHandler authorize, DecisionReporter reporter, TimeProvider time, ILogger logger)
    {
        _authorize = authorize;
        _snapshots = snapshots;
        _engine = engine;
        _pools = pools;
        _forwarder = forwarder;
        _reporter = reporter;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Serves the request whose head <paramref name="connection"/> has just read whole (not yet consumed), or says
    /// to hand it off with nothing consumed.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<InboundOutcome> ServeAsync(InboundConnection connection)
    {
        var start = Stopwatch.GetTimestamp();

        // :: Step 1: what the request is, read from its bytes, and decided (with the ledger waits of the Kestrel path).
        var plan = Prepare(connection);
        for (var attempt = 0; attempt < DecisionEngine.MaxLedgerWaits && plan.Verdict == PlanVerdict.Pending; attempt++)
        {
            await _engine.ResolveAsync(plan.Decision).ConfigureAwait(false);
            plan = Prepare(connection);
        }

        if (plan.Verdict == PlanVerdict.HandOff)
        {
            FastPathLog.HandOff(_logger, connection.Id, plan.Reason!);
            return InboundOutcome.HandOff;
        }

        if (plan.Verdict == PlanVerdict.Authorize)
        {
            return await _authorize.ServeAsync(connection, plan.State).ConfigureAwait(false);
        }

        var head = connection.Head;
        var requestId = RequestIds.Next();
        var decision = plan.Decision;
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Decision(_logger, requestId, plan.Method, plan.Site.Id, decision.Resource?.Resource.Id ?? "-", decision.Token?.Id ?? "-", decision.Outcome, decision.Reason);
        }

        // :: Step 2: a refusal is answered here. A body the refused request carries is not read: the connection closes after.
        if (decision.IsDenied)
        {
            var close = connection.IsLastResponse || head.ContentLength > 0;
            _reporter.Decided(requestId, plan.Site, plan.Method, decision, plan.State.Version);
            _reporter.Metrics.EdgeTime(start);
            connection.Consume();
            FastProblemWriter.Write(connection.Output, decision, requestId, close, ReferenceEquals(plan.Method, HttpMethods.Head));
            await connection.FlushAsync().ConfigureAwait(false);
            return close ? InboundOutcome.Close : InboundOutcome.KeepAlive;
        }

        // :: Step 3: the forwarded head, as bytes: the client's header lines minus the stripped ones, then the edge's
        // (Connection: close is the forwarder's, asked when the response head is written: a shutdown may begin meanwhile).
        var transform = CreateTransform(connection, plan, requestId);
        var originHead = new HeadBuilder(1024 + head.HeadLength);
        var edgeHeaders = new HeadBuilder(256);
        try
        {
            WriteOriginHead(ref originHead, connection, plan, transform);
            transform.WriteResponse(ref edgeHeaders);

            // :: Step 4: forward, streaming the body from the client's transport and the response to it.
            connection.Consume();
            _reporter.Metrics.EdgeTime(start);
            var sent = Stopwatch.GetTimestamp();
            var result = await _forwarder.ForwardAsync(plan.Pool, originHead.Written, Math.Max(head.ContentLength, 0), ReferenceEquals(plan.Method, HttpMethods.Head),
                UpstreamForwarder.IsIdempotent(plan.Method), connection.Input, connection.Output, edgeHeaders.Written, connection, connection.Prefix, connection.OriginTimeout).ConfigureAwait(false);
            var originTime = Stopwatch.GetElapsedTime(sent);
            connection.OriginTimeoutDone();

            // :: Step 5: report; an origin that failed before the response started gets the Kestrel path's 502 or 504.
            if (result.Error == ForwarderError.None)
            {
                _reporter.Forwarded(requestId, plan.Site, plan.Method, decision, plan.State.Version, result.Status, originTime);
                return result.ClientReusable ? InboundOutcome.KeepAlive : InboundOutcome.Close;
            }

            if (connection.ClientGone)
            {
                result = result with { Error = ForwarderError.RequestCanceled };
            }

            var originSide = result.Error is not (ForwarderError.RequestBodyClient or ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled);
            if (originSide)
            {
                Log.OriginError(_logger, requestId, plan.Site.Id, result.Error.ToString(), result.Exception);
                _reporter.Metrics.OriginError(plan.Site.Id);
            }

            _reporter.Forwarded(requestId, plan.Site, plan.Method, decision, plan.State.Version, result.Status, originTime);
            if (!result.ResponseStarted && !connection.ClientGone && result.Status is 502 or 504)
            {
                FastProblemWriter.Write(connection.Output, result.Status == 504 ? DenyReason.OriginTimeout : DenyReason.OriginUnreachable, null, requestId, close: true, ReferenceEquals(plan.Method, HttpMethods.Head));
                await connection.FlushAsync().ConfigureAwait(false);
            }

            return InboundOutcome.Close;
        }
        finally
        {
            originHead.Dispose();
            edgeHeaders.Dispose();
        }
    }

    /// <summary>
    /// The synchronous part, re-run after each ledger wait (spans do not cross an await): method, target, site,
    /// credentials, and the decision. Everything the fast path does not serve is a hand-off, found before anything
    /// is counted.
    /// </summary>
    private FastPlan Prepare(InboundConnection connection)
    {
        var bytes = connection.HeadBytes.Span;
        var head = connection.Head;

        // :: Step 1.1: only what this path serves alike: HTTP/1.1, a body framed by Content-Length or none, no Expect.
        if (head.Version != 11 || head.Chunked || head.ExpectContinue || MethodOf(bytes[..head.MethodLength]) is not { } method)
        {
            return FastPlan.Refer("not HTTP/1.1 with a Content-Length body or none, or an unusual method");
        }

        // :: Step 1.2: the config this request sees, and a target of plain characters the path guard accepts.
        var state = _snapshots.Current;
        var target = bytes.Slice(head.TargetStart, head.TargetLength);
        if (state is null || target.Length > MaxTargetChars || target.ContainsAnyExcept(s_plainTarget))
        {
            return FastPlan.Refer("no snapshot, or a target with escapes or unusual characters");
        }

        Span<char> chars = stackalloc char[target.Length];
        Encoding.ASCII.GetChars(target, chars);
        if (RequestPathGuard.Check(chars) != PathVerdict.Ok)
        {
            return FastPlan.Refer("a target the path guard refuses");
        }

        var queryAt = chars.IndexOf('?');
        var path = queryAt < 0 ? chars : chars[..queryAt];

        // Middleware mode comes before any site, as on the Kestrel path (EdgeRequestHandler's first check).
        if (ReferenceEquals(method, HttpMethods.Post) && path.SequenceEqual(AuthorizeHandler.Path))
        {
            return FastPlan.Authorize(state);
        }

        // :: Step 1.3: the site, by Host, else by the first path segment; sites the Kestrel path treats specially stay there.
        Span<char> hostChars = stackalloc char[MaxValueChars];
        var hostLength = head.HostIndex >= 0 ? Copy(bytes, head.Header(head.HostIndex), hostChars) : 0;
        if (hostLength > MaxValueChars || !SiteLookup.TryFind(state, hostChars[..hostLength], path, out var site, out var sitePathStart)
            || _pools.PoolFor(site.OriginPrefix) is not { Address.PathBase: not null } pool)
        {
            return FastPlan.Refer("unknown site, or a TLS origin");
        }

        var sitePath = SiteLookup.SitePath(path, sitePathStart);
        if ((site.Site.X402 is not null || site.HasMcp || site.HasOpenAi) && IsKestrels(site, sitePath, method))
        {
            return FastPlan.Refer("an x402, MCP or OpenAI resource");
        }

        // The site's private query parameters, injected as on the Kestrel path; a result holding an escape is that path's
        // (the Uri it goes through there may write escapes its own way).
        string? injected = null;
        if (site.Site.StaticQuery.Count > 0)
        {
            injected = QueryInjection.Apply(queryAt < 0 ? QueryString.Empty : new QueryString(chars[queryAt..].ToString()), site).Value ?? "";
            if (injected.Contains('%'))
            {
                return FastPlan.Refer("private query parameters that need escaping");
            }
        }

        // :: Step 1.4: the credentials, refused as ambiguous when a header is repeated, as on the Kestrel path.
        Span<char> authorization = stackalloc char[MaxValueChars];
        Span<char> apiKey = stackalloc char[MaxValueChars];
        var authorizationLength = -1;
        var apiKeyLength = -1;
        var ambiguous = false;
        for (var i = 0; i < head.HeaderCount; i++)
        {
            var header = head.Header(i);
            var name = bytes.Slice(header.NameStart, header.NameLength);
            if (name.Length == 13 && Ascii.EqualsIgnoreCase(name, "Authorization"u8))
            {
                ambiguous |= authorizationLength >= 0;
                authorizationLength = Copy(bytes, header, authorization);
            }
            else if (name.Length == 9 && Ascii.EqualsIgnoreCase(name, "X-Api-Key"u8))
            {
                ambiguous |= apiKeyLength >= 0;
                apiKeyLength = Copy(bytes, header, apiKey);
            }
        }

        if (authorizationLength > MaxValueChars || apiKeyLength > MaxValueChars)
        {
            return FastPlan.Refer("an over-long credential header");
        }

        var token = ambiguous ? default : Credentials.Find(authorization[..Math.Max(authorizationLength, 0)], apiKey[..Math.Max(apiKeyLength, 0)], out ambiguous);

        // :: Step 1.5: decide (and count), exactly as the Kestrel path's step 8.
        _engine.Decide(state, site, sitePath, method, token, ambiguous, out var decision);

        // The target the origin gets: the origin's path base, the forwarded path, the client's query.
        var forwarded = decision.IsDenied ? null
            : string.Concat(pool.Address.PathBase, ForwardedPath(decision, sitePath), injected is not null ? injected : queryAt < 0 ? default : chars[queryAt..]);
        return new FastPlan(decision.Pending != EnforceVerdict.Admitted ? PlanVerdict.Pending : PlanVerdict.Ready, state, site, pool, method, forwarded, decision);
    }

    private ForwardTransform CreateTransform(InboundConnection connection, in FastPlan plan, string requestId)
    {
        var bytes = connection.HeadBytes.Span;
        var head = connection.Head;
        string? host = null;
        string? connectionOptions = null;
        string? forwardedFor = null;
        for (var i = 0; i < head.HeaderCount; i++)
        {
            var header = head.Header(i);
            var name = bytes.Slice(header.NameStart, header.NameLength);
            if (i == head.HostIndex)
            {
                host = Latin1(bytes, header);
            }
            else if (name.Length == 10 && Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                connectionOptions = Join(connectionOptions, Latin1(bytes, header));
            }
            else if (name.Length == 15 && Ascii.EqualsIgnoreCase(name, "X-Forwarded-For"u8))
            {
                forwardedFor = Join(forwardedFor, Latin1(bytes, header));
            }
        }

        return new ForwardTransform(plan.Site, plan.Decision, plan.Method, plan.Target!, null, host, connectionOptions, connection.RemoteAddress, forwardedFor,
            connection.Scheme, requestId, _time.GetUtcNow().ToUnixTimeSeconds());
    }

    /// <summary>Request line, Host, the client's headers as they came minus hop-by-hop and stripped ones, the edge's, the framing.</summary>
    private static void WriteOriginHead(ref HeadBuilder origin, InboundConnection connection, in FastPlan plan, ForwardTransform transform)
    {
        var bytes = connection.HeadBytes.Span;
        var head = connection.Head;
        origin.RequestLine(plan.Method, transform.PathAndQuery);
        origin.Header("Host", transform.Host ?? plan.Pool.Address.Authority);
        Span<char> name = stackalloc char[256];
        for (var i = 0; i < head.HeaderCount; i++)
        {
            var header = head.Header(i);
            var nameBytes = bytes.Slice(header.NameStart, header.NameLength);
            if (nameBytes.Length > name.Length)
            {
                // No hop-by-hop or stripped name is this long: it is forwarded.
                WriteLine(ref origin, bytes, header);
                continue;
            }

            var text = name[..Encoding.ASCII.GetChars(nameBytes, name)];
            if (HopByHopHeaders.Contains(text) || transform.IsStripped(text))
            {
                continue;
            }

            WriteLine(ref origin, bytes, header);
        }

        foreach (var (added, value) in transform.AddedHeaders)
        {
            origin.Header(added, value);
        }

        if (head.ContentLength >= 0)
        {
            origin.Header("Content-Length"u8, head.ContentLength);
        }

        origin.Bytes("\r\n"u8);
    }

    private static void WriteLine(ref HeadBuilder origin, ReadOnlySpan<byte> bytes, HeaderRange header)
    {
        origin.Bytes(bytes.Slice(header.NameStart, header.NameLength));
        origin.Bytes(": "u8);
        origin.Bytes(bytes.Slice(header.ValueStart, header.ValueLength));
        origin.Bytes("\r\n"u8);
    }

    /// <summary>
    /// Whether the resource is one the Kestrel path treats on its own (its steps 5-7): paid by x402 (priced per call,
    /// or offered on refusal), an MCP endpoint (priced per JSON-RPC call in the body) or an OpenAI-compatible one
    /// (metered from the response).
    /// </summary>
    private static bool IsKestrels(SiteRuntime site, ReadOnlySpan<char> sitePath, string method)
    {
        if (!site.Matcher.TryMatch(sitePath, out var match))
        {
            return false;
        }

        var route = site.Routes[match.EntryId];
        return route.McpEndpoint is not null || route.OpenAiEndpoint is not null
            || (site.Site.X402 is not null && route.ForMethod(method) is { } resource && resource.Resource.Payment != Core.Model.ResourcePayment.Token);
    }

    /// <summary>The methods the fast path serves, as the framework's interned strings (so no string per request).</summary>
    private static string? MethodOf(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => HttpMethods.Get,
        _ when method.SequenceEqual("POST"u8) => HttpMethods.Post,
        _ when method.SequenceEqual("PUT"u8) => HttpMethods.Put,
        _ when method.SequenceEqual("DELETE"u8) => HttpMethods.Delete,
        _ when method.SequenceEqual("PATCH"u8) => HttpMethods.Patch,
        _ when method.SequenceEqual("HEAD"u8) => HttpMethods.Head,
        _ when method.SequenceEqual("OPTIONS"u8) => HttpMethods.Options,
        _ => null,
    };

    /// <summary>The origin path, as <see cref="EdgeRequestHandler"/> computes it: the resource's private path with the catch-all remainder, else the site path.</summary>
    private static ReadOnlySpan<char> ForwardedPath(in Decision decision, ReadOnlySpan<char> sitePath)
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

        return string.Concat(prefix == "/" ? "" : prefix, sitePath[decision.RemainderStart..]);
    }

    /// <summary>Copies a header value as chars; returns its length, which is over <paramref name="chars"/>' length (nothing copied) when it does not fit.</summary>
    internal static int Copy(ReadOnlySpan<byte> bytes, HeaderRange header, Span<char> chars)
    {
        if (header.ValueLength > chars.Length)
        {
            return header.ValueLength;
        }

        // The parser let through field-vchar, SP and HTAB only: ASCII.
        return Encoding.ASCII.GetChars(bytes.Slice(header.ValueStart, header.ValueLength), chars);
    }

    private static string Latin1(ReadOnlySpan<byte> bytes, HeaderRange header) => Encoding.Latin1.GetString(bytes.Slice(header.ValueStart, header.ValueLength));

    // Repeated headers joined with ",", as StringValues.ToString() joins them on the Kestrel path.
    private static string Join(string? existing, string value) => existing is null ? value : existing + "," + value;
}
