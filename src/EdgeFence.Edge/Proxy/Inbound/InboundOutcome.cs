namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>How one request on the fast path left its connection.</summary>
internal enum InboundOutcome : byte
{
    /// <summary>Read the next request.</summary>
    KeepAlive = 0,

    /// <summary>Close the connection (the client asked, a body was left unread, or something failed).</summary>
    Close = 1,

    /// <summary>Hand the connection, this request unread, to Kestrel's HTTP stack.</summary>
    HandOff = 2,
}
