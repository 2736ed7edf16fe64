using EdgeFence.Core.Security;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Snapshots;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy;

/// <summary>
/// The one description of what the edge changes in a forwarded request, whichever engine forwards it
/// (<see cref="ForwardedRequest"/> for YARP, <see cref="Upstream.UpstreamForwarder"/>), so both send the
/// same bytes of meaning to the origin:
/// <list type="bullet">
/// <item>the target: the origin's path base, the forwarded (private) path, the client's query with the site's
/// private query parameters injected (<see cref="QueryInjection"/>), built as YARP builds it;</item>
/// <item>stripped from the client's headers (<see cref="IsStripped"/>): the credentials the edge consumed (on
/// enforced paths only: on passthrough paths the origin may run its own auth), every incoming
/// <c>X-EdgeFence-*</c> (only the edge may speak as the edge), the names of the site's static headers (so a
/// client can never override them), <c>X-Forwarded-For/-Proto/-Host</c> (recomputed) and the headers the
/// client's <c>Connection</c> header names (hop-by-hop);</item>
/// <item>added (<see cref="AddedHeaders"/>): the site's static headers, the identity headers, the charge
/// (<c>X-EdgeFence-Charged</c>, when the call was charged), the signature (v2) over the target as forwarded
/// and the charge, and X-Forwarded-*;</item>
/// <item>Host: the client's, unchanged (what YARP's base transformer does; the origin sees the public host
/// name, also in X-Forwarded-Host), else the origin's authority;</item>
/// <item>on the response (<see cref="ApplyResponse"/>): the RateLimit headers and the request id.</item>
/// </list>
/// </summary>
internal sealed class ForwardTransform
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";

    private readonly SiteRuntime _site;
    private readonly Decision _decision;
    private readonly string _requestId;
    private readonly string? _connectionOptions;

    public ForwardTransform(HttpContext context, SiteRuntime site, in Decision decision, PathString path, string requestId, long timestamp)
        : this(site, decision, context.Request.Method, TargetOf(site, path, context.Request.QueryString, out var destination), destination,
            HeaderOrNull(context.Request.Headers.Host), HeaderOrNull(context.Request.Headers.Connection), context.Connection.RemoteIpAddress?.ToString(),
            HeaderOrNull(context.Request.Headers[ForwardedFor]), context.Request.Scheme, requestId, timestamp)
    {
    }

    /// <summary>
    /// The transform from plain values, whichever HTTP layer read them: the Kestrel path above, and the fast path
    /// (Proxy/Inbound), which reads them from the request's bytes. <paramref name="pathAndQuery"/> is the target as
    /// it will be sent; <paramref name="host"/>, <paramref name="connection"/> and <paramref name="forwardedFor"/>
    /// are the client's headers (comma-joined when repeated), null when absent.
    /// </summary>
    public ForwardTransform(SiteRuntime site, in Decision decision, string method, string pathAndQuery, Uri? destination, string? host, string? connection,
        string? remoteAddress, string? forwardedFor, string scheme, string requestId, long timestamp)
    {
        _site = site;
        _decision = decision;
        _requestId = requestId;
        Method = method;
        _connectionOptions = connection;

        // :: Step 1: the target, as YARP builds it (so the signature covers exactly what either engine sends).
        DestinationUri = destination;
        PathAndQuery = pathAndQuery;

        // :: Step 2: the headers the edge adds, static ones first, the signature over the target as forwarded.
        var added = new List<KeyValuePair<string, string>>(site.Site.StaticHeaders.Count + 8);
        foreach (var (name, value) in site.Site.StaticHeaders)
        {
            added.Add(new(name, value));
        }

        var token = decision.Token;
        var tokenId = token?.Id ?? "";
        var customer = decision.Customer ?? "";
        var planId = token?.Plan.Plan.Id ?? "";
        added.Add(new(RequestSigner.RequestIdHeader, requestId));

        // The customer is the token's, or on an x402-paid call the payer (x402:<address>).
        if (decision.Customer is not null)
        {
            added.Add(new(RequestSigner.CustomerHeader, customer));
        }

        if (token is not null)
        {
            added.Add(new(RequestSigner.PlanHeader, planId));
            added.Add(new(RequestSigner.TokenIdHeader, tokenId));
        }

        var charged = "";
        if (decision.ChargedMicros > 0 && decision.ChargedCurrency is { } currency)
        {
            charged = RequestSigner.ChargedValue(decision.ChargedMicros, currency);
            added.Add(new(RequestSigner.ChargedHeader, charged));
        }

        added.Add(new(RequestSigner.SignatureHeader, RequestSigner.CreateHeaderValue(site.Site.HmacSecret, timestamp, Method, PathAndQuery, tokenId, customer, planId, requestId, charged)));

        // :: Step 3: X-Forwarded-*: the client's X-Forwarded-For chain with its address appended; proto and host are ours.
        if (remoteAddress is not null)
        {
            added.Add(new(ForwardedFor, forwardedFor is null ? remoteAddress : forwardedFor + ", " + remoteAddress));
        }

        added.Add(new(ForwardedProto, scheme));
        if (host is not null)
        {
            added.Add(new(ForwardedHost, host));
        }

        AddedHeaders = added;
        Host = host;
    }

    /// <summary>The Host header to send; null means the origin's authority.</summary>
    public string? Host { get; }

    /// <summary>The request method, as the client sent it.</summary>
    public string Method { get; }

    /// <summary>The full origin URL (for YARP); null on the fast path, which sends <see cref="PathAndQuery"/> itself.</summary>
    public Uri? DestinationUri { get; }

    /// <summary>The request-target sent to the origin and signed: path base, path, query.</summary>
    public string PathAndQuery { get; }

    /// <summary>The headers the edge adds, in order, after the client's.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> AddedHeaders { get; }

    /// <summary>Whether a client header by this name is dropped before forwarding.</summary>
    public bool IsStripped(ReadOnlySpan<char> name)
    {
        if (name.StartsWith("X-", StringComparison.OrdinalIgnoreCase))
        {
            if (name.StartsWith("X-EdgeFence-", StringComparison.OrdinalIgnoreCase)
                || name.Equals(ForwardedFor, StringComparison.OrdinalIgnoreCase)
                || name.Equals(ForwardedProto, StringComparison.OrdinalIgnoreCase)
                || name.Equals(ForwardedHost, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        if (_decision.Outcome == DecisionOutcome.Allowed
            && (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals(Credentials.ApiKeyHeader, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        foreach (var header in _site.Site.StaticHeaders)
        {
            if (name.Equals(header.Name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        // Headers the client's Connection header names are hop-by-hop (RFC 9110 7.6.1): they end here.
        return Upstream.HopByHopHeaders.IsNamedIn(name, _connectionOptions);
    }

    /// <summary>
    /// The target the origin sees: the origin's path base, the forwarded path, the query (with the site's private
    /// parameters injected), as YARP builds it. The fast path builds the same string without the <see cref="Uri"/>
    /// for the targets it serves (plain characters only; see Inbound/FastRequestHandler).
    /// </summary>
    private static string TargetOf(SiteRuntime site, PathString path, QueryString query, out Uri destination)
    {
        if (site.Site.StaticQuery.Count > 0)
        {
            query = QueryInjection.Apply(query, site);
        }

        destination = RequestUtilities.MakeDestinationAddress(site.OriginPrefix, path, query);
        return destination.PathAndQuery;
    }

    private static string? HeaderOrNull(Microsoft.Extensions.Primitives.StringValues values) => values.Count switch
    {
        0 => null,
        1 => values[0],
        _ => values.ToString(),
    };

    /// <summary>What the edge adds to the origin's response headers.</summary>
    public void ApplyResponse(IHeaderDictionary headers)
    {
        RateLimitHeaders.Apply(headers, _decision);
        headers[RequestSigner.RequestIdHeader] = _requestId;
    }

    /// <summary>The same as header lines, for the fast path, which writes the client's response head itself.</summary>
    public void WriteResponse(ref Upstream.HeadBuilder head)
    {
        WriteLimits(ref head, _decision);
        head.Header(RequestSigner.RequestIdHeader, _requestId);
    }

    /// <summary>The RateLimit headers and Retry-After of a decision as header lines (<see cref="RateLimitHeaders"/>).</summary>
    public static void WriteLimits(ref Upstream.HeadBuilder head, in Decision decision)
    {
        if (RateLimitHeaders.TryGet(decision, out var policy, out var current))
        {
            head.Header(RateLimitHeaders.Policy, policy);
            head.Header(RateLimitHeaders.Current, current);
        }

        if (decision.RetryAfterSeconds > 0)
        {
            head.Header("Retry-After"u8, decision.RetryAfterSeconds);
        }
    }
}
