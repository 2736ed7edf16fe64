namespace EdgeFence.ControlPlane.Stats;

/// <summary>A site's decisions in a time range, counted from the edges' rollups (or, with <c>ControlPlane:StatsSource=stream</c>, their decision stream in Redis).</summary>
public sealed class SiteStatsResponse
{
    public required string SiteId { get; init; }

    /// <summary>Start of the range, inclusive.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the range, exclusive.</summary>
    public required DateTimeOffset To { get; init; }

    public required long Requests { get; init; }
    public required long Allowed { get; init; }
    public required long Denied { get; init; }
    public required long Passthrough { get; init; }

    /// <summary>Denied requests by reason code (<c>quota-exhausted</c>, <c>missing-token</c>, …).</summary>
    public required Dictionary<string, long> DeniedByReason { get; init; }

    /// <summary>Units of the allowed requests.</summary>
    public required long Units { get; init; }

    /// <summary>The 10 tokens with the most units, then the most requests.</summary>
    public required List<TokenStats> TopTokens { get; init; }

    /// <summary>True when the range held more stream entries than one answer reads (the counts cover the oldest ones only); always false from the rollups.</summary>
    public required bool Truncated { get; init; }
}

/// <summary>One token's share of a site's decisions.</summary>
public sealed class TokenStats
{
    public required string TokenId { get; init; }
    public required string Customer { get; init; }

    /// <summary>Requests with the token, whatever the decision.</summary>
    public required long Requests { get; init; }

    /// <summary>Units of its allowed requests.</summary>
    public required long Units { get; init; }
}
