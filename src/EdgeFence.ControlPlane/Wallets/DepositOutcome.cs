namespace EdgeFence.ControlPlane.Wallets;

/// <summary>What a deposit request came to: the deposit, and whether an earlier request with its key had already credited it.</summary>
internal sealed record DepositOutcome(DepositResponse Deposit, bool Replayed);
