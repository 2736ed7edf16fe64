using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Sites;

/// <summary>Shapes shared by site creation and update: hosts and static name/value pairs as the snapshot holds them.</summary>
internal static class SiteInput
{
    /// <summary>Host names compare case-insensitively everywhere; stored lower-case so duplicates are caught as such.</summary>
    public static List<string> Hosts(RequestErrors errors, List<string?>? hosts) =>
        [.. errors.Strings(hosts, "hosts").Select(h => h.Trim().ToLowerInvariant())];

    public static List<NameValue> Pairs(RequestErrors errors, Dictionary<string, string?>? items, string field)
    {
        var result = new List<NameValue>();
        if (items is null)
        {
            return result;
        }

        // Document order, which System.Text.Json keeps as the dictionary's insertion order.
        foreach (var (name, value) in items)
        {
            if (value is null)
            {
                errors.Add($"{field}.{name}", "must be a string");
            }
            else
            {
                result.Add(new NameValue(name, value));
            }
        }

        return result;
    }
}
