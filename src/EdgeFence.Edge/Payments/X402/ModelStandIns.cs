// TEMPORARY stand-ins for the snapshot model the lead lands on main (Resource.Payment, PriceMicros,
// Currency; Site.X402). Deleted at the merge; nothing else changes then.
using System.Collections.Concurrent;

namespace EdgeFence.Core.Model;

internal enum ResourcePayment
{
    Token = 0,
    X402 = 1,
    TokenOrX402 = 2,
}

internal sealed class X402Settings
{
    public required string FacilitatorUrl { get; init; }
    public required string Network { get; init; }
    public required string Asset { get; init; }
    public required string PayTo { get; init; }
    public required string AssetName { get; init; }
    public required string AssetVersion { get; init; }
    public int AssetDecimals { get; init; } = 6;
    public string Currency { get; init; } = "USD";
    public int MaxTimeoutSeconds { get; init; } = 60;
}

internal static class ModelStandIns
{
    public static readonly ConcurrentDictionary<string, (ResourcePayment Payment, long PriceMicros, string Currency)> Resources = new();
    public static readonly ConcurrentDictionary<string, X402Settings> Sites = new();

    extension(Resource resource)
    {
        public ResourcePayment Payment => Resources.TryGetValue(resource.Id, out var r) ? r.Payment : ResourcePayment.Token;
        public long PriceMicros => Resources.TryGetValue(resource.Id, out var r) ? r.PriceMicros : 0;
        public string Currency => Resources.TryGetValue(resource.Id, out var r) ? r.Currency : "USD";
    }

    extension(Site site)
    {
        public X402Settings? X402 => Sites.TryGetValue(site.Id, out var s) ? s : null;
    }
}
