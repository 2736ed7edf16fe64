using System.Text.Json;
using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Plans;

/// <summary>Turns a plan request into terms: the whole request on create, the fields present on update.</summary>
internal static class PlanInput
{
    public static PlanTerms ForCreate(RequestErrors errors, PlanRequest request) => CheckOverage(errors, new(
        errors.Required(request.Name, "name"),
        request.Quota is null ? null : QuotaUnits(errors, request.Quota),
        request.Quota is null ? QuotaPeriod.Month : Period(errors, request.Quota.Period),
        request.Quota is null ? QuotaMode.Hard : Mode(errors, request.Quota.Mode),
        request.RateLimit is null ? null : RateRequests(errors, request.RateLimit),
        request.RateLimit is null ? 60 : Window(errors, request.RateLimit.WindowSeconds),
        PriceInput.Micros(errors, request.Price, "price"),
        PriceInput.Currency(errors, request.Currency, "currency"),
        Billing(errors, request.Billing),
        ResourcePrices(errors, request.ResourcePrices),
        OveragePrice(errors, request.OveragePrice)));

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
            terms = terms with { PriceMicros = PriceInput.Micros(errors, request.Price, "price") };
        }

        if (root.TryGetProperty("currency", out _))
        {
            terms = terms with { Currency = PriceInput.Currency(errors, request.Currency, "currency") };
        }

        if (root.TryGetProperty("billing", out _))
        {
            terms = terms with { Billing = Billing(errors, request.Billing) };
        }

        // Sent whole: the map replaces the revision's own prices; null or {} removes them all.
        if (root.TryGetProperty("resourcePrices", out _))
        {
            terms = terms with { ResourcePrices = ResourcePrices(errors, request.ResourcePrices) };
        }

        if (root.TryGetProperty("overagePrice", out _))
        {
            terms = terms with { OveragePriceMicros = OveragePrice(errors, request.OveragePrice) };
        }

        return CheckOverage(errors, terms);
    }

    /// <summary>Null is none; otherwise above zero (a free overage is no overage price: leave it out).</summary>
    private static long? OveragePrice(RequestErrors errors, decimal? price)
    {
        if (price is null)
        {
            return null;
        }

        var micros = PriceInput.Micros(errors, price, "overagePrice");
        if (price == 0)
        {
            errors.Add("overagePrice", "must be above 0 (send null for no overage price)");
        }

        return micros;
    }

    /// <summary>Overage exists only past a soft quota, and a prepaid plan is debited per call, not billed by Stripe.</summary>
    private static PlanTerms CheckOverage(RequestErrors errors, PlanTerms terms)
    {
        if (terms.OveragePriceMicros is null)
        {
            return terms;
        }

        if (terms.QuotaUnits is null || terms.QuotaMode != QuotaMode.Soft)
        {
            errors.Add("overagePrice", "needs a soft quota (quota.mode \"soft\"): only units past a soft quota are overage");
        }
        else if (terms.Billing == PlanBilling.Prepaid)
        {
            errors.Add("overagePrice", "a prepaid plan is debited per call; overage prices are for subscriptions");
        }

        return terms;
    }

    public static QuotaBody? Quota(PlanTerms terms) => terms.QuotaUnits is { } units
        ? new QuotaBody { Units = units, Period = terms.QuotaPeriod.ToString().ToLowerInvariant(), Mode = terms.QuotaMode.ToString().ToLowerInvariant() }
        : null;

    public static RateLimitBody? RateLimit(PlanTerms terms) => terms.RateLimitRequests is { } requests
        ? new RateLimitBody { Requests = requests, WindowSeconds = terms.RateLimitWindowSeconds }
        : null;

    public static decimal PriceOf(long micros) => PriceInput.Units(micros);

    public static string BillingName(PlanBilling billing) => billing == PlanBilling.Prepaid ? "prepaid" : "subscription";

    public static Dictionary<string, decimal> ResourcePricesOf(PlanTerms terms) =>
        terms.ResourcePrices.ToDictionary(p => p.ResourceId, p => PriceInput.Units(p.PriceMicros), StringComparer.Ordinal);

    private static PlanBilling Billing(RequestErrors errors, string? billing)
    {
        switch (billing)
        {
            case null or "subscription": return PlanBilling.Subscription;
            case "prepaid": return PlanBilling.Prepaid;
            default:
                errors.Add("billing", $"'{billing}' is not one of subscription, prepaid");
                return PlanBilling.Subscription;
        }
    }

    /// <summary>Whether each id is a resource of the plan's site is checked in the change, where the resources are.</summary>
    private static List<ResourcePrice> ResourcePrices(RequestErrors errors, Dictionary<string, decimal?>? prices)
    {
        var result = new List<ResourcePrice>();
        if (prices is null)
        {
            return result;
        }

        foreach (var (resourceId, price) in prices)
        {
            var field = "resourcePrices." + resourceId;
            if (price is null)
            {
                errors.Add(field, "must be a price (leave the resource out to use its own)");
                continue;
            }

            result.Add(new ResourcePrice(resourceId, PriceInput.Micros(errors, price, field)));
        }

        result.Sort((a, b) => string.CompareOrdinal(a.ResourceId, b.ResourceId));
        return result;
    }

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
}
