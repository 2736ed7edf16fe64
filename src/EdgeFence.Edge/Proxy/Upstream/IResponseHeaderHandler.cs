namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// Receives each response header line as the parser validates it. Implemented by structs so the parser's
/// generic call is inlined (Kestrel's parser handlers do the same).
/// </summary>
internal interface IResponseHeaderHandler
{
    /// <summary>The status line, before any header: lets a handler skip the headers of a 1xx interim response.</summary>
    void OnStatusLine(int status);

    /// <summary>One header: name as sent (a token), value with surrounding whitespace trimmed.</summary>
    void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
}
