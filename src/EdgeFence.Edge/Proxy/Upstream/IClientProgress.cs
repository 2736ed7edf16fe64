namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// What the fast path's connection is told while an exchange moves bytes with its client, so it can hold the
/// client to a minimum data rate in both directions (Inbound/InboundConnection): a client that sends its body or
/// reads the response slower than that is dropped.
/// </summary>
internal interface IClientProgress
{
    /// <summary>Reading the request body: <paramref name="total"/> bytes of it so far.</summary>
    void BodyReceived(long total);

    /// <summary>Writing the response: <paramref name="total"/> bytes of it handed to the socket so far.</summary>
    void ResponseSent(long total);

    /// <summary>Neither: waiting for the origin, whose own timeout applies.</summary>
    void WaitingForOrigin();

    /// <summary>
    /// The exchange moved (started, sent body bytes, or got response bytes): the origin's activity timeout, which
    /// cancels the exchange's token, starts over from now. The connection's heartbeat enforces it (to its second), so
    /// the request path arms no timer: a timer's Change takes a lock that every connection's requests share.
    /// </summary>
    void OriginActive(TimeSpan timeout);

    /// <summary>
    /// Whether the response being written is to be the connection's last: the client asked for that, or the server
    /// began a graceful shutdown (which may start while the origin works, so it is asked when the head is written).
    /// </summary>
    bool IsLastResponse { get; }
}
