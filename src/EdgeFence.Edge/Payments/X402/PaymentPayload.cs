namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// One x402 payment as read from a <c>PAYMENT-SIGNATURE</c> or <c>X-PAYMENT</c> header: the EIP-3009
/// authorization the payer signed, plus the decoded JSON exactly as sent, which goes to the
/// facilitator unchanged (it checks the signature over those bytes' values, not over ours).
/// </summary>
internal sealed class PaymentPayload
{
    /// <summary>Protocol version the payload declares: 1 or 2.</summary>
    public required int Version { get; init; }

    /// <summary>Network the payment is for (v2: <c>accepted.network</c>; v1: the top-level name).</summary>
    public required string Network { get; init; }

    public required string From { get; init; }
    public required string To { get; init; }

    /// <summary>Atomic units, a decimal string without leading zeros.</summary>
    public required string Value { get; init; }

    public required long ValidAfter { get; init; }
    public required long ValidBefore { get; init; }

    /// <summary>The EIP-3009 nonce, 0x + 64 hex.</summary>
    public required string Nonce { get; init; }

    /// <summary>The decoded header: UTF-8 JSON, checked strict.</summary>
    public required ReadOnlyMemory<byte> Json { get; init; }
}
