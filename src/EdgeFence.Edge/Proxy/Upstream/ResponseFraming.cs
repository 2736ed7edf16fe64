namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>How a response body is delimited (RFC 9112 section 6.3).</summary>
internal enum ResponseFraming
{
    /// <summary>No body: 1xx, 204, 304 or a response to HEAD.</summary>
    None,

    /// <summary>Exactly Content-Length bytes.</summary>
    ContentLength,

    /// <summary>Transfer-Encoding: chunked.</summary>
    Chunked,

    /// <summary>Neither header: the body ends when the origin closes the connection, which is then never reused.</summary>
    CloseDelimited,
}
