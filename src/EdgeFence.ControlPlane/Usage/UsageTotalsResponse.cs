namespace EdgeFence.ControlPlane.Usage;

/// <summary>
/// <c>GET /v1/analytics/totals</c>: the decisions of a range. <see cref="RevenueMicros"/> is what the edges charged per
/// call (pay-per-call prices and prepaid balances, per currency); subscription fees are billed by Stripe, not here.
/// </summary>
public sealed class UsageTotalsResponse
{
    /// <summary>The site, or null for all sites (then requests refused before any site was known, as site <c>-</c>, count too).</summary>
    public required string? SiteId { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public long Requests { get; set; }
    public long Allowed { get; set; }
    public long Denied { get; set; }
    public long Passthrough { get; set; }
    public long Units { get; set; }
    public Dictionary<string, long> RevenueMicros { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Customers with at least one allowed request in the range.</summary>
    public long ActiveCustomers { get; set; }

    /// <summary>Tokens with at least one allowed request in the range.</summary>
    public long ActiveTokens { get; set; }

    /// <summary>Denied requests by reason code.</summary>
    public Dictionary<string, long> DeniedByReason { get; init; } = new(StringComparer.Ordinal);
}
