namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>The units of all usage events of one token in one billing period, and when its Redis ledger expires.</summary>
internal sealed record UsageTotal(string SiteId, string TokenId, long PeriodStartMs, long Units, long ExpireAtMs);
