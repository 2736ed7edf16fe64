namespace EdgeFence.ControlPlane.Validation;

/// <summary>
/// Prices as the API spells them, decimal currency units (<c>0.0025</c>), turned into the snapshot's micro-units,
/// and currency codes. Shared by plans (period price, own prices per resource) and resources (price per call).
/// </summary>
internal static class PriceInput
{
    /// <summary>
    /// The largest price in currency units: <see cref="EdgeFence.Core.Model.Currency.MaxAmountMicros"/> micro-units, the edge's bound.
    /// It defends against overflow: a huge price would wrap the sums of debits and leases into a negative balance.
    /// </summary>
    private const decimal MaxUnits = EdgeFence.Core.Model.Currency.MaxAmountMicros / 1_000_000m;

    /// <summary>Micro-units of <paramref name="price"/>; null is free. Errors name <paramref name="field"/>.</summary>
    public static long Micros(RequestErrors errors, decimal? price, string field)
    {
        if (price is not { } value)
        {
            return 0;
        }

        if (value < 0)
        {
            errors.Add(field, "must not be negative");
            return 0;
        }

        // Compared before scaling: a decimal near its own maximum would overflow when multiplied.
        if (value > MaxUnits)
        {
            errors.Add(field, $"must be at most {MaxUnits} (10^15 micro-units)");
            return 0;
        }

        var micros = value * 1_000_000m;
        if (micros != decimal.Truncate(micros))
        {
            errors.Add(field, "at most 6 decimals (micro-units)");
            return 0;
        }

        return (long)micros;
    }

    /// <summary>The API's spelling of micro-units: <c>2500</c> is <c>0.0025</c>.</summary>
    public static decimal Units(long micros) => micros / 1_000_000m;

    /// <summary>An ISO 4217 code (or USDC), any case; null is <c>USD</c>.</summary>
    public static string Currency(RequestErrors errors, string? currency, string field)
    {
        if (currency is null)
        {
            return "USD";
        }

        var code = currency.ToUpperInvariant();
        if (!EdgeFence.Core.Model.Currency.IsKnown(code))
        {
            errors.Add(field, $"'{currency}' is not a known ISO 4217 code (or USDC), such as USD");
            return "USD";
        }

        return code;
    }
}
