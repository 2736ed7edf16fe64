namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>A usage event whose fields passed <see cref="UsageEventInput"/>; the token and the units are resolved when it is recorded.</summary>
internal sealed record UsageEvent(string? TokenId, string? Customer, string? SiteId, string Metric, long Quantity, string IdempotencyKey, DateTimeOffset? Timestamp);
