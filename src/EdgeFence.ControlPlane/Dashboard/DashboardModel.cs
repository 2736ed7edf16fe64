namespace EdgeFence.ControlPlane.Dashboard;

// The shapes DashboardData answers with: plain records, so the lead can fill them from the rollups instead.

/// <summary>One bucket of a traffic series.</summary>
internal sealed record TrafficPoint(long StartMs, long Requests, long Denied);

/// <summary>An amount of money in one currency, in micro-units.</summary>
internal sealed record Money(string Currency, long Micros);

/// <summary>A customer's share of traffic in a range.</summary>
internal sealed record CustomerTraffic(string SiteId, string Customer, long Requests, long Units, long Denied);

/// <summary>A site as the overview lists it.</summary>
internal sealed record SiteSummary(string Id, string Name, string Slug, int Plans, int ActiveTokens);

/// <summary>What the overview page shows.</summary>
internal sealed record Overview(
    DateTimeOffset PeriodStart,
    DateTimeOffset LastPeriodStart,
    IReadOnlyList<Money> RevenueThisPeriod,
    IReadOnlyList<Money> RevenueLastPeriod,
    IReadOnlyList<Money> DepositsThisPeriod,
    IReadOnlyList<Money> DepositsLastPeriod,
    int ActiveSubscribers,
    IReadOnlyList<TrafficPoint> Traffic,
    IReadOnlyList<CustomerTraffic> TopCustomers,
    IReadOnlyList<SiteSummary> Sites,
    string? TrafficNote);

/// <summary>One token with its usage of the current period (null when unknown: no Redis).</summary>
internal sealed record TokenUsage(string TokenId, string SiteId, string Customer, string PlanId, string PlanName, long? Quota, long? Used, bool Revoked, DateTimeOffset? ExpiresAt, DateTimeOffset PeriodEnd);

/// <summary>A plan with its quota utilization: how many live tokens are above each threshold.</summary>
internal sealed record PlanView(
    string Id, string SiteId, string SiteName, string Name, long? Quota, string Period, string Mode, long PriceMicros, string Currency,
    IReadOnlyList<TokenUsage> Tokens, IReadOnlyList<(string Label, int Count)> Distribution, bool UsageKnown);

/// <summary>A site's page: its plans, traffic and top customers.</summary>
internal sealed record SiteView(string Id, string Name, string Slug, string OriginUrl, IReadOnlyList<(string Id, string Name, int Tokens)> Plans, IReadOnlyList<TrafficPoint> Traffic, IReadOnlyList<CustomerTraffic> TopCustomers, IReadOnlyList<Money> RevenueThisPeriod, string? TrafficNote);

/// <summary>A balance as credited (database), debited (edges' ledger in Redis; null when unknown) and left.</summary>
internal sealed record BalanceView(string Currency, long CreditedMicros, long? DebitedMicros)
{
    public long? BalanceMicros => DebitedMicros is { } d ? CreditedMicros - d : null;
}

/// <summary>A customer's page (and, a subset of it, the customer portal).</summary>
internal sealed record CustomerView(string SiteId, string SiteName, string Customer, IReadOnlyList<TokenUsage> Tokens, IReadOnlyList<BalanceView> Balances, IReadOnlyList<TrafficPoint> Traffic, string? TrafficNote);

/// <summary>One edge, for the edges page.</summary>
internal sealed record EdgeView(string Url, long? SnapshotApplied, long? WalletsApplied, string? LastResult, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastAttemptAt, int ConsecutiveFailures);

/// <summary>The edges page.</summary>
internal sealed record EdgesView(long LatestSnapshot, long LatestWallets, string Redis, IReadOnlyList<EdgeView> Edges);

/// <summary>One decision found in the log, as field/value pairs in the order the edge wrote them.</summary>
internal sealed record DecisionView(string EntryId, IReadOnlyList<(string Name, string Value)> Fields);
