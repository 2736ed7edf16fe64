namespace EdgeFence.ControlPlane.Usage;

/// <summary>A token's usage in one billing period, as the edges' Redis ledger holds it.</summary>
public sealed class UsageResponse
{
    public required string TokenId { get; init; }
    public required string PlanId { get; init; }
    public required UsagePeriod Period { get; init; }

    /// <summary>Units per period of the plan revision the token is on; null without a quota.</summary>
    public required long? Quota { get; init; }

    /// <summary><c>hard</c> or <c>soft</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>Units all edges admitted in the period (the sum of the ledger's <c>u:&lt;node&gt;</c> fields).</summary>
    public required long Used { get; init; }

    /// <summary><c>max(0, quota - used)</c>; null without a quota.</summary>
    public required long? Remaining { get; init; }

    /// <summary><c>max(0, used - quota)</c> for a soft quota; 0 for a hard one or none.</summary>
    public required long Overage { get; init; }

    /// <summary>Units each edge (its <c>EdgeFence:NodeId</c>) admitted in the period.</summary>
    public required Dictionary<string, long> ByEdge { get; init; }

    /// <summary>Overage units of this period Stripe took as meter events (a Stripe subscription's soft quota; 0 otherwise).</summary>
    public long ExportedUnits { get; init; }

    /// <summary>Overage units written for export that Stripe has not taken yet (sent again every export round).</summary>
    public long ExportPendingUnits { get; init; }
}

/// <summary>Calendar-aligned UTC bounds of a billing period: <see cref="Start"/> inclusive, <see cref="End"/> exclusive.</summary>
public sealed class UsagePeriod
{
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
}
