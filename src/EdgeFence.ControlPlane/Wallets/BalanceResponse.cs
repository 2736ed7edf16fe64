namespace EdgeFence.ControlPlane.Wallets;

/// <summary>The answer to <c>GET /v1/customers/{id}/balance?siteId=…</c>.</summary>
public sealed class BalanceResponse
{
    public required string SiteId { get; init; }
    public required string Customer { get; init; }

    /// <summary>False when the edges' debits cannot be read (no <c>ControlPlane:Redis</c>); <see cref="DebitsDetail"/> says why.</summary>
    public required bool DebitsKnown { get; init; }

    public required string? DebitsDetail { get; init; }

    /// <summary>One entry per currency the customer ever had a deposit in, in currency-code order.</summary>
    public required IReadOnlyList<CurrencyBalance> Balances { get; init; }
}
