namespace EdgeFence.ControlPlane.Wallets;

/// <summary>The body of <c>POST /v1/customers/{id}/deposits</c>.</summary>
public sealed class DepositRequest
{
    /// <summary>The site whose balance is credited: a balance is per site, customer and currency.</summary>
    public string? SiteId { get; init; }

    /// <summary>
    /// Micro-units of <see cref="Currency"/> (1 USD = 1,000,000). Read as a decimal so that <c>1.5</c> or
    /// <c>1e3</c> get a precise "whole number" error instead of a type error; only whole numbers are accepted.
    /// </summary>
    public decimal? AmountMicros { get; init; }

    /// <summary>An ISO 4217 code, or USDC.</summary>
    public string? Currency { get; init; }

    /// <summary>The caller's key for this credit: the same key for the same customer of the same site credits once.</summary>
    public string? IdempotencyKey { get; init; }
}
