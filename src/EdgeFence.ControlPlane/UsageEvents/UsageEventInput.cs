using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Validation;

namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>Checks a usage event field by field, so one 400 names every mistake; nothing is read or written before it passes.</summary>
internal static class UsageEventInput
{
    /// <summary>The metric that counts quota units as they are.</summary>
    public const string UnitsMetric = "units";

    /// <summary>
    /// Longest idempotency key: every key is stored with its event, so an unbounded key would let a caller grow the
    /// database by a megabyte per request; 255 is what payment APIs allow.
    /// </summary>
    public const int MaxIdempotencyKeyLength = 255;

    /// <summary>
    /// Largest quantity of one event. Per-period totals are summed in Redis Lua, whose numbers are doubles exact to
    /// 2^53; a caller (or a bug in an origin) sending huge quantities could otherwise push a ledger past that and make
    /// every edge's arithmetic on it inexact. A billion units per event is far beyond any real call.
    /// </summary>
    public const long MaxQuantity = 1_000_000_000;

    public static UsageEvent Read(UsageEventRequest request)
    {
        var errors = new RequestErrors();
        var tokenId = Identifier(errors, request.TokenId, "tokenId");
        var customer = Identifier(errors, request.Customer, "customer");
        var siteId = Identifier(errors, request.SiteId, "siteId");
        if (tokenId is null && customer is null)
        {
            errors.Add("tokenId", "required: the token id, or customer and siteId");
        }
        else if (tokenId is not null && customer is not null)
        {
            errors.Add("customer", "give tokenId or customer, not both");
        }
        else if (customer is not null && siteId is null)
        {
            errors.Add("siteId", "required with customer: a customer is known per site");
        }

        var metric = Identifier(errors, request.Metric, "metric") ?? UnitsMetric;
        var quantity = Quantity(errors, request.Quantity);
        var key = request.IdempotencyKey;
        if (string.IsNullOrEmpty(key))
        {
            errors.Add("idempotencyKey", "required: a key of your own for this event, so a retry cannot count twice");
        }
        else if (key.Length > MaxIdempotencyKeyLength || key.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            errors.Add("idempotencyKey", $"must be 1-{MaxIdempotencyKeyLength} printable ASCII characters");
        }

        errors.ThrowIfAny();
        return new UsageEvent(tokenId, customer, siteId, metric, quantity, key!, request.Timestamp);
    }

    /// <summary>Null when not given; the snapshot's identifier rules otherwise (the ids travel to the edges in headers).</summary>
    private static string? Identifier(RequestErrors errors, string? value, string field)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length == 0 || value.Length > SnapshotValidator.MaxIdentifierLength || value.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            errors.Add(field, $"must be 1-{SnapshotValidator.MaxIdentifierLength} printable ASCII characters");
            return null;
        }

        return value;
    }

    private static long Quantity(RequestErrors errors, decimal? value)
    {
        if (value is not { } quantity)
        {
            errors.Add("quantity", "required: how many of the metric");
            return 0;
        }

        if (quantity != decimal.Truncate(quantity) || quantity < 1 || quantity > MaxQuantity)
        {
            errors.Add("quantity", $"must be a whole number between 1 and {MaxQuantity}");
            return 0;
        }

        return (long)quantity;
    }
}
