namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>
/// One parsed request head, as offsets into its bytes: no strings, no header collections. One instance per
/// connection, <see cref="Reset"/> before each request. It also holds the parser's place, so bytes arriving a few
/// at a time are scanned once (<see cref="RequestHeadParser"/>).
/// </summary>
internal sealed class RequestHead
{
    private readonly HeaderRange[] _headers = new HeaderRange[RequestHeadParser.MaxHeaderCount];

    /// <summary>What the parser last made of the head (set by the fast path's connection).</summary>
    public RequestHeadStatus Status { get; internal set; }

    public int MethodLength { get; internal set; }

    public int TargetStart { get; internal set; }

    public int TargetLength { get; internal set; }

    /// <summary>10 for HTTP/1.0, 11 for HTTP/1.1.</summary>
    public int Version { get; internal set; }

    public int HeaderCount { get; private set; }

    /// <summary>Index of the Host header in <see cref="Header"/>, or -1.</summary>
    public int HostIndex { get; internal set; }

    /// <summary>The body's length from Content-Length; -1 when there is none (then 0, or chunked).</summary>
    public long ContentLength { get; internal set; }

    /// <summary><c>Transfer-Encoding: chunked</c> (the only coding accepted).</summary>
    public bool Chunked { get; internal set; }

    /// <summary>Whether the connection stays open after this exchange (HTTP/1.1 unless <c>close</c>; HTTP/1.0 only with <c>keep-alive</c>).</summary>
    public bool KeepAlive { get; internal set; }

    /// <summary><c>Expect: 100-continue</c>.</summary>
    public bool ExpectContinue { get; internal set; }

    /// <summary>Length of the whole head, request line to the empty line included, once <see cref="RequestHeadStatus.Complete"/>.</summary>
    public int HeadLength { get; internal set; }

    /// <summary>The status to answer with when <see cref="RequestHeadStatus.Invalid"/> (400, 414, 417, 431, 501, 505).</summary>
    public int ErrorStatus { get; internal set; }

    /// <summary>Why it was refused or handed off: a constant, safe to log (never the client's bytes).</summary>
    public string? Reason { get; internal set; }

    /// <summary>Parser state: bytes already scanned for a line end, and where the current line starts.</summary>
    internal int ScannedTo { get; set; }

    internal int LineStart { get; set; }

    /// <summary>Set by a header that sends the request to Kestrel's stack once the head is known to be valid.</summary>
    internal string? HandOffReason { get; set; }

    internal bool CloseSeen { get; set; }

    internal bool KeepAliveSeen { get; set; }

    public HeaderRange Header(int index) => (uint)index < (uint)HeaderCount ? _headers[index] : throw new ArgumentOutOfRangeException(nameof(index));

    internal bool TryAdd(HeaderRange header)
    {
        if (HeaderCount == _headers.Length)
        {
            return false;
        }

        _headers[HeaderCount++] = header;
        return true;
    }

    public void Reset()
    {
        MethodLength = TargetStart = TargetLength = Version = HeaderCount = HeadLength = ErrorStatus = 0;
        ScannedTo = LineStart = 0;
        HostIndex = -1;
        ContentLength = -1;
        Chunked = KeepAlive = ExpectContinue = CloseSeen = KeepAliveSeen = false;
        Reason = HandOffReason = null;
        Status = RequestHeadStatus.Incomplete;
    }
}
