using EdgeFence.Core.Limits;

namespace EdgeFence.Edge.Store;

/// <summary>
/// The one place that decides and counts: rolls the windows forward, checks the rate limit, then the
/// quota, and counts only what it admits. Runs inside FASTER's read-modify-write with the record
/// locked, so concurrent requests for one token see each other's counts exactly. Also applies what
/// the Redis ledger answers (leases, global sums, resync after restart) to the same record.
/// </summary>
internal static class CounterMath
{
    public static void Apply(ref EntitlementCounters value, ref EnforceInput input, ref EnforceOutput output)
    {
        var now = input.NowMs;

        // Roll the rate windows: the current becomes the previous once, then both age out.
        var elapsed = 0L;
        if (input.RateLimit > 0)
        {
            var windowStart = SlidingWindow.WindowStart(now, input.RateWindowMs);
            if (value.RateWindowStartMs != windowStart)
            {
                value.RatePrevious = value.RateWindowStartMs == windowStart - input.RateWindowMs ? value.RateCurrent : 0;
                value.RateCurrent = 0;
                value.RateWindowStartMs = windowStart;
            }

            // The other nodes' counts age the same way until the next sync brings fresh ones.
            if (value.OthersWindowStartMs != windowStart)
            {
                value.OthersPrevious = value.OthersWindowStartMs == windowStart - input.RateWindowMs ? value.OthersCurrent : 0;
                value.OthersCurrent = 0;
                value.OthersWindowStartMs = windowStart;
            }

            elapsed = now - windowStart;
        }

        // A new period starts from zero. A period start earlier than the recorded one means the clock
        // went back: keep counting in the later period rather than hand out a fresh quota.
        if (input.PeriodStartMs > value.PeriodStartMs)
        {
            value.PeriodStartMs = input.PeriodStartMs;
            value.Used = 0;
            value.Overage = 0;
            value.Leased = 0;
            value.LastGrant = 0;
            value.GlobalUsed = 0;
            value.UsedAtSync = 0;
            value.Refunded = 0;
            value.RefundedAtSync = 0;
            value.GlobalFree = -1;
            value.GlobalFreeQuota = 0;
        }

        output.Verdict = EnforceVerdict.Admitted;
        switch (input.Operation)
        {
            case EnforceOperation.Enforce:
                Enforce(ref value, ref input, ref output, elapsed);
                break;
            case EnforceOperation.ApplyLease when input.LedgerPeriodStartMs == value.PeriodStartMs:
                value.LastGrant = Math.Max(0, input.LedgerLeased - value.Leased);
                value.Leased = Math.Max(value.Leased, input.LedgerLeased);
                value.GlobalFree = input.LedgerFree;
                value.GlobalFreeQuota = input.QuotaUnits;
                break;
            case EnforceOperation.ApplySync when input.LedgerPeriodStartMs == value.PeriodStartMs:
                // The global sum is net of refunds, so it may go down; what only grows is this node's pushed gross.
                // An answer to an older push (it raced a newer one) must not replace the newer answer.
                if (input.LedgerPushedUsed + input.LedgerPushedRefunded >= value.GrossAtSync)
                {
                    value.GlobalUsed = input.LedgerUsed;
                    value.UsedAtSync = input.LedgerPushedUsed;
                    value.RefundedAtSync = input.LedgerPushedRefunded;
                }

                value.GlobalFree = input.LedgerFree;
                value.GlobalFreeQuota = input.QuotaUnits;
                break;
            case EnforceOperation.ApplyRateSync when input.LedgerWindowStartMs == value.OthersWindowStartMs:
                // Counts within a window only grow: never take an older, smaller answer.
                value.OthersCurrent = Math.Max(value.OthersCurrent, input.LedgerOthersCurrent);
                value.OthersPrevious = Math.Max(value.OthersPrevious, input.LedgerOthersPrevious);
                break;
            case EnforceOperation.Refund when input.PeriodStartMs == value.PeriodStartMs:
                // Net used goes down and the refunds go up by the same amount, so the gross count the ledger keeps
                // (grow-only, like the refunds) never goes back: the next push carries the refund to every edge.
                var given = Math.Min(value.Used, input.Cost);
                value.Used -= given;
                value.Refunded += given;
                if (input.SoftQuota && input.QuotaUnits != long.MaxValue)
                {
                    value.Overage = Math.Min(value.Overage, Math.Max(0, value.Used - input.QuotaUnits));
                }

                if (input.RateLimit > 0 && value.RateCurrent > 0)
                {
                    value.RateCurrent--;
                }

                break;
            case EnforceOperation.Resync:
                if (input.LedgerPeriodStartMs == value.PeriodStartMs)
                {
                    // Each of the two grow-only counts is the later of what the checkpoint and the ledger hold.
                    var gross = Math.Max(value.Gross, input.LedgerUsed);
                    value.Refunded = Math.Max(value.Refunded, input.LedgerRefunded);
                    value.Used = Math.Max(0, gross - value.Refunded);
                    value.Leased = Math.Max(value.Leased, input.LedgerLeased);
                }

                value.SyncedEpoch = input.Epoch;
                break;
        }

        output.RateRemaining = input.RateLimit > 0 ? SlidingWindow.Remaining(value.RatePrevious + value.OthersPrevious, value.RateCurrent + value.OthersCurrent, input.RateLimit, elapsed, input.RateWindowMs) : long.MaxValue;
        output.RateResetMs = input.RateLimit > 0 ? input.RateWindowMs - elapsed : 0;
        output.QuotaRemaining = input.QuotaUnits == long.MaxValue ? long.MaxValue : Math.Max(0, input.QuotaUnits - EstimatedGlobalUsed(ref value, ref input));
        output.Counters = value;
    }

    /// <summary>Standalone: this node's count. Shared: the last global sum plus what this node admitted since.</summary>
    private static long EstimatedGlobalUsed(ref EntitlementCounters value, ref EnforceInput input)
        => input.LeaseMode || value.GlobalUsed > 0 ? Math.Max(value.Used, value.GlobalUsed + (value.Used - value.UsedAtSync)) : value.Used;

    private static void Enforce(ref EntitlementCounters value, ref EnforceInput input, ref EnforceOutput output, long elapsed)
    {
        if (input.Shared && !input.LedgerDown && value.SyncedEpoch != input.Epoch)
        {
            output.Verdict = EnforceVerdict.NeedResync;
            return;
        }

        // Shared through Redis, the window holds this node's exact counts plus the other nodes' as of
        // the last sync (0 standalone).
        var previous = value.RatePrevious + value.OthersPrevious;
        var current = value.RateCurrent + value.OthersCurrent;
        if (input.RateLimit > 0 && !SlidingWindow.Admits(previous, current, input.RateLimit, elapsed, input.RateWindowMs))
        {
            output.Verdict = EnforceVerdict.RateLimited;
            output.RetryAfterMs = SlidingWindow.MillisecondsUntilAdmitted(previous, current, input.RateLimit, elapsed, input.RateWindowMs);
            return;
        }

        var hardQuota = !input.SoftQuota && input.QuotaUnits != long.MaxValue;
        if (hardQuota && input.LeaseMode)
        {
            // Admit only against units the ledger granted to this node, so the sum over all nodes
            // never exceeds the quota. While Redis is unreachable a node may go beyond its lease by
            // its fair share (1/EdgeCount) of the units no node had leased at its last ledger answer,
            // plus its share of MaxOverAdmission, and no further.
            var allowance = input.OutageAllowance;
            if (input.LedgerDown && value.GlobalFree > 0 && value.GlobalFreeQuota == input.QuotaUnits)
            {
                allowance += value.GlobalFree / Math.Max(1, input.EdgeCount);
            }

            if (value.Used + input.Cost > value.Leased + allowance)
            {
                var knownExhausted = value.GlobalFree == 0 && value.GlobalFreeQuota == input.QuotaUnits;
                output.Verdict = knownExhausted || input.LedgerDown ? EnforceVerdict.QuotaExhausted : EnforceVerdict.NeedLease;
                return;
            }
        }
        else if (hardQuota && value.Used + input.Cost > input.QuotaUnits)
        {
            output.Verdict = EnforceVerdict.QuotaExhausted;
            return;
        }

        value.RateCurrent++;
        var before = value.Used;
        value.Used += input.Cost;
        if (input.SoftQuota && input.QuotaUnits != long.MaxValue && value.Used > input.QuotaUnits)
        {
            value.Overage += value.Used - Math.Max(before, input.QuotaUnits);
        }

        // Refill before the lease runs dry, so the request path does not wait on Redis.
        output.PrefetchLease = hardQuota && input.LeaseMode && value.GlobalFree != 0
            && value.Leased - value.Used <= Math.Max(input.Cost, value.LastGrant / 2);
    }
}
