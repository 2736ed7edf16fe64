using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace EdgeFence.Edge.Tests.Mcp;

/// <summary>Sits under the MCP client's HttpClient: the SHA-256 of each POST body it sends and the RateLimit header of each answer.</summary>
public sealed class RecordingHandler : DelegatingHandler
{
    public RecordingHandler()
        : base(new SocketsHttpHandler())
    {
    }

    public ConcurrentQueue<string> SentBodyHashes { get; } = new();

    public string? LastRateLimit { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            var bytes = await request.Content.ReadAsByteArrayAsync(cancellationToken);
            SentBodyHashes.Enqueue(Convert.ToHexString(SHA256.HashData(bytes)));
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("RateLimit", out var values))
        {
            LastRateLimit = string.Join(", ", values);
        }

        return response;
    }

    /// <summary>The quota units left according to the last <c>RateLimit</c> header.</summary>
    public long QuotaRemaining()
    {
        var value = LastRateLimit ?? throw new InvalidOperationException("no RateLimit header seen");
        var at = value.IndexOf("\"quota\";r=", StringComparison.Ordinal) + 10;
        var end = value.IndexOf(';', at);
        return long.Parse(value.AsSpan(at, end - at));
    }
}
