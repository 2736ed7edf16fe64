using EdgeFence.ControlPlane.Problems;
using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>Plan prices (micro-units of a currency per quota period) in Stripe's terms.</summary>
internal static class StripeAmounts
{
    // Stripe's zero- and three-decimal currencies (its "Supported currencies" reference); every other one has two.
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.Ordinal)
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    };

    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.Ordinal) { "BHD", "JOD", "KWD", "OMR", "TND" };

    /// <summary>The price in the currency's minor unit, as <c>unit_amount_decimal</c> (which allows fractions of a cent).</summary>
    public static decimal MinorUnits(long micros, string currency)
    {
        var exponent = ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;
        var scale = exponent switch { 0 => 1_000_000m, 3 => 1_000m, _ => 10_000m };
        return micros / scale;
    }

    /// <summary>Stripe bills by day, week, month or year; an hourly plan cannot be a Stripe subscription.</summary>
    public static string Interval(QuotaPeriod period) => period switch
    {
        QuotaPeriod.Day => "day",
        QuotaPeriod.Week => "week",
        QuotaPeriod.Month => "month",
        QuotaPeriod.Year => "year",
        _ => throw NotBillable("its quota period is an hour; Stripe bills by day, week, month or year"),
    };

    public static ApiProblemException NotBillable(string why) => new(409, "plan-not-billable", "The plan cannot be sold through Stripe", why);
}
