using EdgeFence.Core.Security;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Snapshots;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy;

/// <summary>
/// The transform for one forwarded request: YARP copies the request (headers, body stream, upgrades);
/// this then strips the client's credentials and any spoofed <c>X-EdgeFence-*</c>, points the request at
/// the origin's private path, injects the site's private headers and query, and signs it. On the way
/// back it adds the RateLimit headers.
/// </summary>
internal sealed class ForwardedRequest : HttpTransformer
{
    private readonly SiteRuntime _site;
    private readonly Decision _decision;
    private readonly PathString _path;
    private readonly string _requestId;
    private readonly long _timestamp;

    public ForwardedRequest(SiteRuntime site, in Decision decision, PathString path, string requestId, long timestamp)
    {
        _site = site;
        _decision = decision;
        _path = path;
        _requestId = requestId;
        _timestamp = timestamp;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var incoming = httpContext.Request.Headers;

        // Credentials the edge consumed stay at the edge. On passthrough paths the origin may run its own auth: leave them.
        if (_decision.Outcome == DecisionOutcome.Allowed)
        {
            incoming.Authorization = default;
            incoming.Remove(Credentials.ApiKeyHeader);
        }

        // Only the edge may speak as the edge: drop every incoming X-EdgeFence-* header before copying.
        List<string>? spoofed = null;
        foreach (var header in incoming)
        {
            if (header.Key.StartsWith("X-EdgeFence-", StringComparison.OrdinalIgnoreCase))
            {
                (spoofed ??= []).Add(header.Key);
            }
        }

        if (spoofed is not null)
        {
            foreach (var name in spoofed)
            {
                incoming.Remove(name);
            }
        }

        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);

        var query = httpContext.Request.QueryString;
        if (_site.Site.StaticQuery.Count > 0)
        {
            query = QueryInjection.Apply(query, _site);
        }

        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, _path, query);

        foreach (var (name, value) in _site.Site.StaticHeaders)
        {
            proxyRequest.Headers.Remove(name);
            if (!proxyRequest.Headers.TryAddWithoutValidation(name, value))
            {
                proxyRequest.Content?.Headers.Remove(name);
                proxyRequest.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var token = _decision.Token;
        var tokenId = token?.Id ?? "";
        var customer = token?.Customer ?? "";
        var planId = token?.Plan.Plan.Id ?? "";
        var headers = proxyRequest.Headers;
        headers.TryAddWithoutValidation(RequestSigner.RequestIdHeader, _requestId);
        if (token is not null)
        {
            headers.TryAddWithoutValidation(RequestSigner.CustomerHeader, customer);
            headers.TryAddWithoutValidation(RequestSigner.PlanHeader, planId);
            headers.TryAddWithoutValidation(RequestSigner.TokenIdHeader, tokenId);
        }

        var charged = "";
        if (_decision.ChargedMicros > 0 && _decision.ChargedCurrency is { } currency)
        {
            charged = RequestSigner.ChargedValue(_decision.ChargedMicros, currency);
            headers.TryAddWithoutValidation(RequestSigner.ChargedHeader, charged);
        }

        var signature = RequestSigner.CreateHeaderValue(_site.Site.HmacSecret, _timestamp, proxyRequest.Method.Method, proxyRequest.RequestUri.PathAndQuery, tokenId, customer, planId, _requestId, charged);
        headers.TryAddWithoutValidation(RequestSigner.SignatureHeader, signature);

        AddForwardedFor(httpContext, headers);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        var headers = httpContext.Response.Headers;
        RateLimitHeaders.Apply(headers, _decision);
        headers[RequestSigner.RequestIdHeader] = _requestId;
        return result;
    }

    private static void AddForwardedFor(HttpContext context, System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        var remote = context.Connection.RemoteIpAddress?.ToString();
        if (remote is not null)
        {
            var existing = context.Request.Headers["X-Forwarded-For"];
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-For", existing.Count == 0 ? remote : existing.ToString() + ", " + remote);
        }

        headers.Remove("X-Forwarded-Proto");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
        if (context.Request.Headers.Host.Count == 1)
        {
            headers.Remove("X-Forwarded-Host");
            headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Headers.Host[0]);
        }
    }
}
