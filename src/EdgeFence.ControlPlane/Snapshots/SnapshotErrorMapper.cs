using EdgeFence.ControlPlane.Problems;

namespace EdgeFence.ControlPlane.Snapshots;

/// <summary>
/// Turns the validator's snapshot paths (<c>resources[3].pattern: …</c>) into the request's field names
/// (<c>pattern</c>). The rest of the configuration was valid when it was committed, so what the validator
/// finds is in the entity being changed.
/// </summary>
internal static partial class SnapshotErrorMapper
{
    private static readonly Dictionary<string, string> ApiNames = new(StringComparer.Ordinal)
    {
        ["quotaUnits"] = "quota.units",
        ["quotaPeriod"] = "quota.period",
        ["quotaMode"] = "quota.mode",
        ["rateLimitRequests"] = "rateLimit.requests",
        ["rateLimitWindowSeconds"] = "rateLimit.windowSeconds",
        ["priceMicros"] = "price",
    };

    public static List<FieldError> Map(IEnumerable<string> errors)
    {
        var result = new List<FieldError>();
        foreach (var error in errors)
        {
            var match = SnapshotPath().Match(error);
            if (!match.Success)
            {
                result.Add(new FieldError("$", error));
                continue;
            }

            var field = match.Groups["field"].Value;
            result.Add(new FieldError(ApiNames.GetValueOrDefault(field, field) + match.Groups["rest"].Value, match.Groups["message"].Value));
        }

        return result;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:sites|plans|resources|tokens)\[\d+\]\.(?<field>[A-Za-z][A-Za-z0-9]*)(?<rest>[^:\s]*): (?<message>.*)$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex SnapshotPath();
}
