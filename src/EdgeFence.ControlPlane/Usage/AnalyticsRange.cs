using System.Globalization;
using EdgeFence.ControlPlane.Problems;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.ControlPlane.Usage;

/// <summary>
/// The <c>from</c>, <c>to</c> and <c>step</c> query parameters of the analytics endpoints, checked: unix ms or
/// ISO-8601, <c>to</c> not in the future (beyond a minute of skew), at most <see cref="MaxRange"/> wide, a step of
/// whole minutes with at most <see cref="MaxPoints"/> points. The bounds are what keep one admin call (or a leaked
/// admin key) from making the control plane scan years of rows or build millions of points.
/// </summary>
internal readonly record struct AnalyticsRange(long FromMs, long ToMs, long StepMs)
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);
    public static readonly TimeSpan FutureSkew = TimeSpan.FromMinutes(1);
    public const int MaxPoints = 10_000;

    public static AnalyticsRange Parse(HttpContext context, long nowMs)
    {
        var from = ParseTime(context, "from");
        var to = ParseTime(context, "to");
        if (to is { } t && t > nowMs + (long)FutureSkew.TotalMilliseconds)
        {
            throw ApiProblemException.Invalid("to", "is in the future");
        }

        var toMs = Math.Min(to ?? nowMs, nowMs);
        var fromMs = from ?? toMs - (long)DefaultRange.TotalMilliseconds;
        if (fromMs >= toMs)
        {
            throw ApiProblemException.Invalid("from", "must be before to");
        }

        if (toMs - fromMs > (long)MaxRange.TotalMilliseconds)
        {
            throw ApiProblemException.Invalid("from", "the range from..to is at most 400 days");
        }

        var stepText = context.Request.Query["step"].ToString();
        long stepSeconds;
        if (stepText.Length == 0)
        {
            // About 100 points by default, in whole minutes.
            stepSeconds = Math.Max(60, (toMs - fromMs) / 100 / 60_000 * 60);
        }
        else if (!long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out stepSeconds) || stepSeconds < 60 || stepSeconds % 60 != 0 || stepSeconds > (long)MaxRange.TotalSeconds)
        {
            throw ApiProblemException.Invalid("step", $"'{stepText}' is not a number of seconds that is a multiple of 60");
        }

        var stepMs = stepSeconds * 1000;
        if ((toMs - fromMs + stepMs - 1) / stepMs > MaxPoints)
        {
            throw ApiProblemException.Invalid("step", $"from..to in steps of {stepSeconds} s is more than {MaxPoints} points");
        }

        return new AnalyticsRange(fromMs, toMs, stepMs);
    }

    /// <summary>Unix ms or ISO-8601 (UTC unless it says otherwise); null when absent.</summary>
    public static long? ParseTime(HttpContext context, string field)
    {
        var text = context.Request.Query[field].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (text.All(char.IsAsciiDigit))
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                return ms;
            }
        }
        else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        throw ApiProblemException.Invalid(field, $"'{text}' is not an ISO-8601 time or unix milliseconds");
    }
}
