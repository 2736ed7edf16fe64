namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>What <c>POST /v1/usage-events</c> recorded (a replay of its key answers the same).</summary>
public sealed class UsageEventResponse
{
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    public required string TokenId { get; init; }
    public required string Customer { get; init; }
    public required string Metric { get; init; }
    public required long Quantity { get; init; }

    /// <summary>Quota units the event counts: the quantity, times the resource's unit cost when the metric is a resource.</summary>
    public required long Units { get; init; }

    public required string IdempotencyKey { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Start of the token's billing period the units count in (the period of <see cref="OccurredAt"/>).</summary>
    public required DateTimeOffset PeriodStart { get; init; }

    /// <summary>Units of all usage events of this token in that period once this one counted.</summary>
    public required long PeriodUnits { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
