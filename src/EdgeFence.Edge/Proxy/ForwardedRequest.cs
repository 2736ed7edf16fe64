using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy;

/// <summary>
/// The YARP engine's transform for one forwarded request: YARP copies the request (headers, body stream,
/// upgrades); this applies the <see cref="ForwardTransform"/> (the same description the pipelines engine
/// applies): the client's headers it strips are removed before YARP copies them, the target is the
/// transform's, its headers are added. On the way back it adds the RateLimit headers and the request id.
/// </summary>
internal sealed class ForwardedRequest : HttpTransformer
{
    private readonly ForwardTransform _transform;

    public ForwardedRequest(ForwardTransform transform) => _transform = transform;

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
        return result;
    }
}
