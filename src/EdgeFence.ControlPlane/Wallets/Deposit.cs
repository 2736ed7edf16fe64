namespace EdgeFence.ControlPlane.Wallets;

/// <summary>A deposit request that passed every check that needs no database: what <see cref="DepositRunner"/> credits.</summary>
internal sealed record Deposit(string SiteId, string Customer, string Currency, long AmountMicros, string IdempotencyKey);
