namespace EdgeFence.Edge.Payments.X402;

/// <summary>How one facilitator call ended.</summary>
internal enum FacilitatorOutcome : byte
{
    /// <summary>Verify: the payment is valid. Settle: it settled (a transaction is known).</summary>
    Succeeded = 0,

    /// <summary>The facilitator answered clearly that the payment is invalid or did not settle.</summary>
    Refused = 1,

    /// <summary>No usable answer: unreachable, timed out, an error status, or garbage. Never read as success.</summary>
    Unavailable = 2,
}
