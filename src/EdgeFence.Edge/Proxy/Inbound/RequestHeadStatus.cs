namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>What <see cref="RequestHeadParser"/> made of the bytes so far.</summary>
internal enum RequestHeadStatus : byte
{
    /// <summary>Every complete line is valid; the head has not ended yet: read more.</summary>
    Incomplete = 0,

    /// <summary>The whole head is there and valid (<see cref="RequestHead.HeadLength"/> bytes).</summary>
    Complete = 1,

    /// <summary>Refused: answer <see cref="RequestHead.ErrorStatus"/> and close the connection.</summary>
    Invalid = 2,

    /// <summary>
    /// Valid HTTP, but not what the fast path serves (HTTP/2 prior knowledge, an upgrade, absolute-form or asterisk
    /// targets): hand the connection, with every byte unconsumed, to Kestrel's full HTTP stack.
    /// </summary>
    HandOff = 3,
}
