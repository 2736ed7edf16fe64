namespace EdgeFence.ControlPlane.Wallets;

/// <summary>One credited deposit: the answer to <c>POST /v1/customers/{id}/deposits</c> (and to its replays), and a ledger line.</summary>
public sealed class DepositResponse
{
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    public required string Customer { get; init; }
    public required string Currency { get; init; }
    public required long AmountMicros { get; init; }
    public required string IdempotencyKey { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Everything credited to this balance up to and including this deposit, in micro-units.</summary>
    public required long CreditedMicros { get; init; }

    /// <summary>The wallet book version that first carried this deposit to the edges.</summary>
    public required long WalletVersion { get; init; }
}
