namespace EdgeFence.ControlPlane.Wallets;

/// <summary>The answer to <c>GET /v1/customers/{id}/ledger?siteId=…</c>: deposits one page at a time, and the edges' debits.</summary>
public sealed class LedgerResponse
{
    public required string SiteId { get; init; }
    public required string Customer { get; init; }

    /// <summary>This page of deposits, oldest first.</summary>
    public required IReadOnlyList<DepositResponse> Deposits { get; init; }

    /// <summary>Pass as <c>after</c> for the next page; null on the last one.</summary>
    public required string? Next { get; init; }

    /// <summary>False when the edges' debits cannot be read (no <c>ControlPlane:Redis</c>); <see cref="DebitsDetail"/> says why.</summary>
    public required bool DebitsKnown { get; init; }

    public required string? DebitsDetail { get; init; }

    /// <summary>
    /// The edges' cumulative debits of each balance the customer has, by edge (the same on every page); null when
    /// unknown. The edges keep per-request debits in their decision logs; Redis holds each edge's running total.
    /// </summary>
    public required IReadOnlyList<CurrencyDebits>? Debits { get; init; }
}
