namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>
/// The body of <c>POST /v1/usage-events</c> (Paygentic's shape): an origin in middleware mode reporting work it
/// metered itself, counted once per idempotency key into the token's usage ledger.
/// </summary>
public sealed class UsageEventRequest
{
    /// <summary>The entitlement (API token id, <c>tok_…</c>) the usage belongs to; or give <see cref="Customer"/> and <see cref="SiteId"/>.</summary>
    public string? TokenId { get; init; }

    /// <summary>With <see cref="SiteId"/>, instead of <see cref="TokenId"/>: the customer's one active token on that site.</summary>
    public string? Customer { get; init; }

    /// <summary>The site, with <see cref="Customer"/>; with <see cref="TokenId"/> optional, and checked against the token's.</summary>
    public string? SiteId { get; init; }

    /// <summary><c>units</c> (quota units), or the id of one of the site's resources (quantity calls at its unit cost).</summary>
    public string? Metric { get; init; }

    /// <summary>How many: read as a decimal so <c>1.5</c> gets a "whole number" error rather than a type error.</summary>
    public decimal? Quantity { get; init; }

    /// <summary>The caller's key for this event: the same key on the same site counts once.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>When the work happened (default: now); it picks the billing period the units count in.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}
