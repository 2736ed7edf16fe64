namespace EdgeFence.ControlPlane.Billing;

/// <summary>One row of <c>stripe_checkouts</c>.</summary>
internal sealed record CheckoutRecord(
    string Id,
    string SiteId,
    string PlanId,
    long PlanRevision,
    string? CustomerRef,
    string CustomerEmail,
    string SessionId,
    long ClaimExpiresAtUnix,
    long? ClaimedAtUnix);
