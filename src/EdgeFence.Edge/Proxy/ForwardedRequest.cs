using EdgeFence.Edge.OpenAi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy;

/// <summary>
/// The YARP engine's transform for one forwarded request: YARP copies the request (headers, body stream,
/// upgrades); this applies the <see cref="ForwardTransform"/> (the same description the pipelines engine
/// applies): the client's headers it strips are removed before YARP copies them, the target is the
/// transform's, its headers are added. On the way back it adds the RateLimit headers and the request id, and for a
/// metered call whose origin meters itself takes the usage header or trailer (and keeps it from the client).
/// </summary>
internal sealed class ForwardedRequest : HttpTransformer
{
    private readonly ForwardTransform _transform;

    private readonly OpenAiMeteredCall? _metered;

    public ForwardedRequest(ForwardTransform transform, OpenAiMeteredCall? metered = null)
    {
        _transform = transform;
        _metered = metered;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        // :: Step 1: strip before YARP copies (the transform decided what from the headers as received).
        var incoming = httpContext.Request.Headers;
        List<string>? stripped = null;
        foreach (var header in incoming)
        {
            if (_transform.IsStripped(header.Key))
            {
                (stripped ??= []).Add(header.Key);
            }
        }

        if (stripped is not null)
        {
            foreach (var name in stripped)
            {
                incoming.Remove(name);
            }
        }

        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);

        // :: Step 2: the target and the edge's headers (a static header may be a content header, such as Content-Language).
        proxyRequest.RequestUri = _transform.DestinationUri;
        foreach (var (name, value) in _transform.AddedHeaders)
        {
            proxyRequest.Headers.Remove(name);
            if (!proxyRequest.Headers.TryAddWithoutValidation(name, value))
            {
                proxyRequest.Content?.Headers.Remove(name);
                proxyRequest.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        _transform.ApplyResponse(httpContext.Response.Headers);
        if (_metered?.OriginUsageHeader is { } name && proxyResponse is not null)
        {
            if (proxyResponse.Headers.TryGetValues(name, out var values))
            {
                _metered.TakeOriginReport(Single(values), "header");
            }

            // The origin's metering is between it and the edge: the client sees neither the header nor the announcement of the trailer.
            var headers = httpContext.Response.Headers;
            headers.Remove(name);
            if (headers.TryGetValue("Trailer", out var announced))
            {
                var kept = new List<string>();
                foreach (var value in announced)
                {
                    foreach (var field in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (!string.Equals(field, name, StringComparison.OrdinalIgnoreCase))
                        {
                            kept.Add(field);
                        }
                    }
                }

                headers.Remove("Trailer");
                if (kept.Count > 0)
                {
                    headers["Trailer"] = string.Join(", ", kept);
                }
            }
        }

        return result;
    }

    public override async ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
    {
        if (_metered?.OriginUsageHeader is { } name && proxyResponse.TrailingHeaders.TryGetValues(name, out var values))
        {
            _metered.TakeOriginReport(Single(values), "trailer");
        }

        await base.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (_metered?.OriginUsageHeader is { } stripped && httpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { IsReadOnly: false } trailers)
        {
            trailers.Remove(stripped);
        }
    }

    /// <summary>The one value of a header; a header sent twice is not a report the edge can trust.</summary>
    private static string? Single(IEnumerable<string> values)
    {
        string? only = null;
        foreach (var value in values)
        {
            if (only is not null)
            {
                return null;
            }

            only = value;
        }

        return only;
    }
}
