using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>Request heads as exact text for <see cref="WireClient"/>, to the demo site by Host (<see cref="TestSnapshot.SiteHost"/>).</summary>
public static class WireRequest
{
    public static string Get(string target, string? token = null, string extra = "") => Of("GET", target, token, extra);

    public static string Head(string target, string? token = null, string extra = "") => Of("HEAD", target, token, extra);

    /// <summary>A request with a Content-Length body (Latin-1).</summary>
    public static string Post(string target, string body, string? token = null, string extra = "")
        => Of("POST", target, token, $"Content-Length: {body.Length}\r\n{extra}") + body;

    /// <summary>A request with a chunked body: the fast path hands it to Kestrel's stack.</summary>
    public static string PostChunked(string target, string body, string? token = null)
        => Of("POST", target, token, "Transfer-Encoding: chunked\r\n") + $"{body.Length:x}\r\n{body}\r\n0\r\n\r\n";

    public static string Of(string method, string target, string? token, string extra, string host = TestSnapshot.SiteHost)
        => $"{method} {target} HTTP/1.1\r\nHost: {host}\r\n"
            + (token is null ? "" : $"Authorization: Bearer {token}\r\n")
            + extra + "\r\n";
}
