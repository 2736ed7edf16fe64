using System.Text.Json;
using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Plans;

/// <summary>Turns a plan request into terms: the whole request on create, the fields present on update.</summary>
internal static partial class PlanInput
{
    public static PlanTerms ForCreate(RequestErrors errors, PlanRequest request) => new(
        errors.Required(request.Name, "name"),
        request.Quota is null ? null : QuotaUnits(errors, request.Quota),
        request.Quota is null ? QuotaPeriod.Month : Period(errors, request.Quota.Period),
        request.Quota is null ? QuotaMode.Hard : Mode(errors, request.Quota.Mode),
        request.RateLimit is null ? null : RateRequests(errors, request.RateLimit),
        request.RateLimit is null ? 60 : Window(errors, request.RateLimit.WindowSeconds),
        Price(errors, request.Price),
        Currency(errors, request.Currency));

    /// <summary><paramref name="root"/> says which fields were sent: a field sent as null removes that limit, a field left out keeps it.</summary>
    public static PlanTerms ForUpdate(RequestErrors errors, PlanRequest request, JsonElement root, PlanTerms current)
    {
        var terms = current;
        if (request.Name is not null || root.TryGetProperty("name", out _))
        {
            terms = terms with { Name = errors.Required(request.Name, "name") };
        }

        if (root.TryGetProperty("quota", out _))
        {
            terms = request.Quota is null
                ? terms with { QuotaUnits = null, QuotaPeriod = QuotaPeriod.Month, QuotaMode = QuotaMode.Hard }
                : terms with { QuotaUnits = QuotaUnits(errors, request.Quota), QuotaPeriod = Period(errors, request.Quota.Period), QuotaMode = Mode(errors, request.Quota.Mode) };
        }

        if (root.TryGetProperty("rateLimit", out _))
        {
            terms = request.RateLimit is null
                ? terms with { RateLimitRequests = null, RateLimitWindowSeconds = 60 }
                : terms with { RateLimitRequests = RateRequests(errors, request.RateLimit), RateLimitWindowSeconds = Window(errors, request.RateLimit.WindowSeconds) };
        }

        if (root.TryGetProperty("price", out _))
        {
            terms = terms with { PriceMicros = Price(errors, request.Price) };
        }

        if (root.TryGetProperty("currency", out _))
        {
            terms = terms with { Currency = Currency(errors, request.Currency) };
        }

        return terms;
    }

    public static QuotaBody? Quota(PlanTerms terms) => terms.QuotaUnits is { } units
        ? new QuotaBody { Units = units, Period = terms.QuotaPeriod.ToString().ToLowerInvariant(), Mode = terms.QuotaMode.ToString().ToLowerInvariant() }
        : null;

    public static RateLimitBody? RateLimit(PlanTerms terms) => terms.RateLimitRequests is { } requests
        ? new RateLimitBody { Requests = requests, WindowSeconds = terms.RateLimitWindowSeconds }
        : null;

    public static decimal PriceOf(long micros) => micros / 1_000_000m;

    private static long QuotaUnits(RequestErrors errors, QuotaBody quota)
    {
        switch (quota.Units)
        {
            case null:
                errors.Add("quota.units", "required (send \"quota\": null for no quota)");
                return 0;
            case < 0:
                errors.Add("quota.units", "must not be negative");
                return 0;
            default:
                return quota.Units.Value;
        }
    }

    private static QuotaPeriod Period(RequestErrors errors, string? period)
    {
        switch (period)
        {
            case null or "month": return QuotaPeriod.Month;
            case "hour": return QuotaPeriod.Hour;
            case "day": return QuotaPeriod.Day;
            case "week": return QuotaPeriod.Week;
            case "year": return QuotaPeriod.Year;
            default:
                errors.Add("quota.period", $"'{period}' is not one of hour, day, week, month, year");
                return QuotaPeriod.Month;
        }
    }

    private static QuotaMode Mode(RequestErrors errors, string? mode)
    {
        switch (mode)
        {
            case null or "hard": return QuotaMode.Hard;
            case "soft": return QuotaMode.Soft;
            default:
                errors.Add("quota.mode", $"'{mode}' is not one of hard, soft");
                return QuotaMode.Hard;
        }
    }

    private static int RateRequests(RequestErrors errors, RateLimitBody rateLimit)
    {
        if (rateLimit.Requests is not { } requests)
        {
            errors.Add("rateLimit.requests", "required (send \"rateLimit\": null for no rate limit)");
            return 1;
        }

        if (requests < 1)
        {
            errors.Add("rateLimit.requests", "must be 1 or more");
            return 1;
        }

        return requests;
    }

    private static int Window(RequestErrors errors, int? windowSeconds)
    {
        // One day at most: the edge's sliding window spans two fixed windows; longer spans are what quotas are for.
        if (windowSeconds is < 1 or > 86_400)
        {
            errors.Add("rateLimit.windowSeconds", "must be between 1 and 86400");
            return 60;
        }

        return windowSeconds ?? 60;
    }

    private static long Price(RequestErrors errors, decimal? price)
    {
        if (price is null)
        {
            return 0;
        }

        if (price < 0)
        {
            errors.Add("price", "must not be negative");
            return 0;
        }

        var micros = price.Value * 1_000_000m;
        if (micros != decimal.Truncate(micros) || micros > long.MaxValue)
        {
            errors.Add("price", "at most 6 decimals and below 9.2 trillion");
            return 0;
        }

        return (long)micros;
    }

    private static string Currency(RequestErrors errors, string? currency)
    {
        if (currency is null)
        {
            return "USD";
        }

        if (!CurrencyCode().IsMatch(currency))
        {
            errors.Add("currency", "must be a three-letter ISO 4217 code such as USD");
            return "USD";
        }

        return currency.ToUpperInvariant();
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z]{3}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex CurrencyCode();
}
