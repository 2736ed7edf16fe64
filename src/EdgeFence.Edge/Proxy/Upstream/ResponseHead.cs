namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>What the parser learned from a response head that the engine needs for framing and reuse.</summary>
internal struct ResponseHead
{
    /// <summary>The status code, 100-599.</summary>
    public int Status;

    /// <summary>The minor version of HTTP/1.x.</summary>
    public int MinorVersion;

    /// <summary>Content-Length, or -1 when absent.</summary>
    public long ContentLength;

    /// <summary>Transfer-Encoding: chunked was present.</summary>
    public bool Chunked;

    /// <summary>Connection: close was present.</summary>
    public bool ConnectionClose;

    /// <summary>Connection: keep-alive was present (what makes an HTTP/1.0 response reusable).</summary>
    public bool KeepAlive;

    /// <summary>Bytes of the head including the final empty line.</summary>
    public int HeadLength;

    /// <summary>1xx: an interim response, a final one follows.</summary>
    public readonly bool IsInterim => Status < 200;

    /// <summary>How the body is delimited for a request with the given method.</summary>
    public readonly ResponseFraming Framing(bool isHead)
    {
        if (isHead || Status < 200 || Status is 204 or 304)
        {
            return ResponseFraming.None;
        }

        if (Chunked)
        {
            return ResponseFraming.Chunked;
        }

        return ContentLength >= 0 ? ResponseFraming.ContentLength : ResponseFraming.CloseDelimited;
    }

    /// <summary>Whether the connection may carry another request once this response is read whole.</summary>
    public readonly bool AllowsReuse(bool isHead)
        => !ConnectionClose && (MinorVersion == 1 || KeepAlive) && Framing(isHead) != ResponseFraming.CloseDelimited;
}
