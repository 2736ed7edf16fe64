using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Model;
using EdgeFence.Core.Validation;

namespace EdgeFence.ControlPlane.Wallets;

/// <summary>Checks a deposit request field by field, so one 400 names every mistake; nothing is written before it passes.</summary>
internal static class DepositInput
{
    /// <summary>
    /// Longest idempotency key. Every key is stored forever with its deposit and shown in the ledger, so an
    /// unbounded key would let a caller grow the database by a megabyte per request; 255 is what payment APIs allow.
    /// </summary>
    public const int MaxIdempotencyKeyLength = 255;

    public static Deposit Read(string customer, DepositRequest request)
    {
        var errors = new RequestErrors();

        // The edge's own rules (the wallet book is validated with them): customers travel in headers.
        if (string.IsNullOrEmpty(customer) || customer.Length > SnapshotValidator.MaxIdentifierLength || customer.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            errors.Add("customer", $"the customer id in the path must be 1-{SnapshotValidator.MaxIdentifierLength} printable ASCII characters");
        }

        var siteId = errors.Required(request.SiteId, "siteId");
        var amount = Amount(errors, request.AmountMicros);
        var currency = errors.Required(request.Currency, "currency");
        if (currency.Length > 0 && !Currency.IsKnown(currency))
        {
            errors.Add("currency", $"'{currency}' is not a known currency (an upper-case ISO 4217 code, or USDC)");
        }

        var key = request.IdempotencyKey;
        if (string.IsNullOrEmpty(key))
        {
            errors.Add("idempotencyKey", "required: a key of your own for this credit, so a retry cannot credit twice");
        }
        else if (key.Length > MaxIdempotencyKeyLength || key.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            errors.Add("idempotencyKey", $"must be 1-{MaxIdempotencyKeyLength} printable ASCII characters");
        }

        errors.ThrowIfAny();
        return new Deposit(siteId, customer, currency, amount, key!);
    }

    private static long Amount(RequestErrors errors, decimal? value)
    {
        if (value is not { } amount)
        {
            errors.Add("amountMicros", "required: the amount in micro-units (1 USD = 1000000)");
            return 0;
        }

        if (amount != decimal.Truncate(amount))
        {
            errors.Add("amountMicros", "must be a whole number of micro-units");
            return 0;
        }

        if (amount <= 0 || amount > Currency.MaxAmountMicros)
        {
            errors.Add("amountMicros", $"must be between 1 and {Currency.MaxAmountMicros}");
            return 0;
        }

        return (long)amount;
    }
}
