using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.AspNetCore.Authorize;

/// <summary>
/// Typed client for the edge's <c>POST /v1/authorize</c>. Its <see cref="HttpClient"/> comes from
/// <c>IHttpClientFactory</c> already set up (base address, origin key, timeout, pooled handler) by
/// <see cref="EdgeFenceServiceCollectionExtensions.AddEdgeFenceAuthorize"/>. Never throws for an edge
/// problem: every way of not getting a decision is an <see cref="EdgeAnswer"/> with a failure.
/// </summary>
internal sealed class EdgeAuthorizeClient
{
    /// <summary>Relative, so an <see cref="EdgeFenceAuthorizeOptions.EdgeUrl"/> ending in a path segment and '/' keeps it.</summary>
    private static readonly Uri AuthorizeUri = new("v1/authorize", UriKind.Relative);

    private readonly HttpClient _http;

    public EdgeAuthorizeClient(HttpClient http) => _http = http;

    /// <summary>Asks the edge. Only a cancellation of <paramref name="aborted"/> (the client went away) throws.</summary>
    public async Task<EdgeAnswer> AuthorizeAsync(AuthorizeRequestBody body, CancellationToken aborted)
    {
        // Serialized up front so the request has a Content-Length: the edge reads a small bounded body.
        var payload = JsonSerializer.SerializeToUtf8Bytes(body, AuthorizeJsonContext.Default.AuthorizeRequestBody);
        using var request = new HttpRequestMessage(HttpMethod.Post, AuthorizeUri) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        HttpResponseMessage response;
        byte[] content;
        try
        {
            // ResponseContentRead: the HttpClient timeout then covers the whole answer, and its
            // MaxResponseContentBufferSize caps what a misbehaving edge can make us buffer.
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, aborted).ConfigureAwait(false);
            content = await response.Content.ReadAsByteArrayAsync(aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!aborted.IsCancellationRequested)
        {
            return EdgeAnswer.Failed(EdgeFailure.Timeout, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return EdgeAnswer.Failed(EdgeFailure.Unreachable, ex.Message);
        }

        using (response)
        {
            return response.StatusCode switch
            {
                HttpStatusCode.OK => ReadDecision(response, content),

                // 400 is the edge refusing the request described (a token too long for its body limit,
                // a Host of another site): a verdict on the client's request, not an edge outage, so it
                // is relayed like a denial. Treated as a failure, fail-open would let those requests through.
                HttpStatusCode.BadRequest => ReadRefusal(content),
                _ => EdgeAnswer.Failed(EdgeFailure.Status, $"HTTP {(int)response.StatusCode} from the edge"),
            };
        }
    }

    private static EdgeAnswer ReadDecision(HttpResponseMessage response, byte[] content)
    {
        AuthorizeDecision? decision;
        try
        {
            decision = JsonSerializer.Deserialize(content, AuthorizeJsonContext.Default.AuthorizeDecision);
        }
        catch (JsonException ex)
        {
            return EdgeAnswer.Failed(EdgeFailure.Malformed, ex.Message);
        }

        if (decision is null)
        {
            return EdgeAnswer.Failed(EdgeFailure.Malformed, "the answer is null");
        }

        if (!decision.Allow && (decision.Status is < 400 or > 599 || decision.Problem is not { ValueKind: JsonValueKind.Object }))
        {
            return EdgeAnswer.Failed(EdgeFailure.Malformed, "a denial without a 4xx/5xx status and a problem object");
        }

        var headers = response.Headers;
        return EdgeAnswer.Decided(decision, Header(headers, "RateLimit-Policy"), Header(headers, "RateLimit"), Header(headers, "Retry-After"));
    }

    private static EdgeAnswer ReadRefusal(byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            var problem = document.RootElement;
            if (problem.ValueKind != JsonValueKind.Object)
            {
                return EdgeAnswer.Failed(EdgeFailure.Malformed, "a 400 without a problem object");
            }

            var decision = new AuthorizeDecision
            {
                Allow = false,
                Status = StatusCodes.Status400BadRequest,
                Reason = problem.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null,
                RequestId = problem.TryGetProperty("requestId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                Problem = problem.Clone(),
            };
            return EdgeAnswer.Decided(decision, null, null, null);
        }
        catch (JsonException ex)
        {
            return EdgeAnswer.Failed(EdgeFailure.Malformed, ex.Message);
        }
    }

    private static string? Header(HttpResponseHeaders headers, string name)
        => headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
