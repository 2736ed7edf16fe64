namespace EdgeFence.Edge.Payments.X402;

/// <summary>What <see cref="PaymentReplayGuard.TryClaim"/> answers.</summary>
internal enum ReplayClaim : byte
{
    /// <summary>First sight of this payment: the caller owns it.</summary>
    Claimed = 0,

    /// <summary>The payment is in flight or was used: refuse it.</summary>
    AlreadyUsed = 1,

    /// <summary>The guard holds its maximum of live payments: refuse (503), never forget one early.</summary>
    Full = 2,
}
