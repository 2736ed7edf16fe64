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
    {
        _site = site;
        _decision = decision;
        _requestId = requestId;
        var request = context.Request;
        Method = request.Method;
        var connection = request.Headers.Connection;
        _connectionOptions = connection.Count == 0 ? null : connection.ToString();

        // :: Step 1: the target, as YARP builds it (so the signature covers exactly what either engine sends).
        var query = request.QueryString;
        if (site.Site.StaticQuery.Count > 0)
        {
            query = QueryInjection.Apply(query, site);
        }

        DestinationUri = RequestUtilities.MakeDestinationAddress(site.OriginPrefix, path, query);
        PathAndQuery = DestinationUri.PathAndQuery;

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
        var remote = context.Connection.RemoteIpAddress?.ToString();
        if (remote is not null)
        {
            var existing = request.Headers[ForwardedFor];
            added.Add(new(ForwardedFor, existing.Count == 0 ? remote : existing.ToString() + ", " + remote));
        }

        added.Add(new(ForwardedProto, request.Scheme));
        if (request.Headers.Host.Count == 1)
        {
            added.Add(new(ForwardedHost, request.Headers.Host[0]!));
        }

        AddedHeaders = added;
        Host = request.Headers.Host.Count == 1 ? request.Headers.Host[0] : null;
    }

    /// <summary>The Host header to send; null means the origin's authority.</summary>
    public string? Host { get; }

    /// <summary>The request method, as the client sent it.</summary>
    public string Method { get; }

    /// <summary>The full origin URL (for YARP).</summary>
    public Uri DestinationUri { get; }

    /// <summary>The request-target sent to the origin and signed: path base, path, query.</summary>
    public string PathAndQuery { get; }

    /// <summary>The headers the edge adds, in order, after the client's.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> AddedHeaders { get; }

    /// <summary>Whether a client header by this name is dropped before forwarding.</summary>
    public bool IsStripped(string name)
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

    /// <summary>What the edge adds to the origin's response headers.</summary>
    public void ApplyResponse(IHeaderDictionary headers)
    {
        RateLimitHeaders.Apply(headers, _decision);
        headers[RequestSigner.RequestIdHeader] = _requestId;
    }
}
