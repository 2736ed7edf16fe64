namespace EdgeFence.Core.Model;

/// <summary>
/// One prepaid balance as the edges know it: everything ever credited to a customer of a site in one
/// currency. Debits are the edges' own counts (shared through Redis), so the balance is
/// <see cref="CreditedMicros"/> minus what the edges debited. Credits only grow, so an edge that gets an
/// older copy never goes back: it keeps the larger figure.
/// </summary>
public sealed record WalletRecord(string SiteId, string Customer, string Currency, long CreditedMicros);
