using System.Security.Cryptography;
using EdgeFence.Core.Limits;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Payments;
using EdgeFence.Edge.Revocations;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using EdgeFence.Edge.Sync;

namespace EdgeFence.Edge.Enforcement;

/// <summary>
/// Decides one request against one compiled snapshot, in the fixed order of DESIGN.md: resource →
/// method → token known → not revoked/expired → this site → plan covers the resource → rate limit →
/// quota → prepaid balance. The first failure decides. Shared by proxy mode and middleware mode, so both
/// count alike. Allocates nothing: spans in, a struct out, one FASTER read-modify-write per counter.
/// </summary>
internal sealed class DecisionEngine
{
    private readonly CounterStore _counters;
    private readonly TimeProvider _time;
    private readonly QuotaSync? _sync;
    private readonly WalletManager? _wallets;
    private readonly RevocationOverlay? _revocations;
    private readonly ConfigFreshness? _freshness;

    public DecisionEngine(CounterStore counters, TimeProvider time, QuotaSync? sync = null, WalletManager? wallets = null, RevocationOverlay? revocations = null, ConfigFreshness? freshness = null)
    {
        _revocations = revocations;
        _freshness = freshness is { Enabled: true, RefuseWhenStale: true } ? freshness : null;
        _counters = counters;
        _time = time;
        _sync = sync;
        _wallets = wallets;
    }

    /// <summary>
    /// Ledger waits one request may take before its decision stands. A fresh account on a prepaid plan with a hard quota
    /// needs four (the quota's resync and lease, then the balance's), and a lease that concurrent requests used up in
    /// between costs one more; three refused such first calls 402 with money left. Each wait is bounded by
    /// LeaseTimeoutMs, and one that times out sends the account's next decisions local, so a slow Redis cannot hold a
    /// request for more than a few of them.
    /// </summary>
    public const int MaxLedgerWaits = 8;

    /// <summary>Gets what a pending decision waits for from the ledger (bounded wait; see <see cref="QuotaSync.ResolveAsync"/>).</summary>
    public Task ResolveAsync(in Decision decision)
        => _sync is null || decision.PendingAccount is null
            ? Task.CompletedTask
            : _sync.ResolveAsync(decision.PendingAccount, decision.Pending, decision.PendingCost);

    public void Decide(EdgeState state, SiteRuntime site, ReadOnlySpan<char> path, string method, ReadOnlySpan<char> token, bool ambiguousCredentials, out Decision decision)
        => Decide(state, site, path, method, token, ambiguousCredentials, calls: null, out decision);

    /// <summary>Decides a request whose body names its calls (<paramref name="calls"/>, e.g. MCP tool calls): priced and covered per call.</summary>
    public void Decide(EdgeState state, SiteRuntime site, ReadOnlySpan<char> path, string method, ReadOnlySpan<char> token, bool ambiguousCredentials, CallSet? calls, out Decision decision)
    {
        decision = default;
        decision.RemainderStart = -1;

        // :: Step 1: resource. No match is passed through unenforced unless the site denies by default.
        if (!site.Matcher.TryMatch(path, out var match))
        {
            if (site.Site.DenyByDefault)
            {
                Deny(ref decision, DenyReason.NoResource);
            }

            return;
        }

        var route = site.Routes[match.EntryId];
        decision.Route = route;
        decision.RemainderStart = match.RemainderStart;

        // :: Step 2: method. A paid path with a method no resource declares is refused, never passed
        // through: the origin may well answer that method on that path.
        var resource = calls?.Primary ?? route.ForMethod(method);
        if (resource is null)
        {
            Deny(ref decision, DenyReason.MethodNotAllowed);
            return;
        }

        decision.Resource = resource;

        // :: Step 2b: an edge that has heard nothing from the control plane for longer than MaxConfigAgeSeconds,
        // with the refuse policy, answers 503 on enforced resources rather than enforce a config that may be long gone.
        if (_freshness is not null && _freshness.IsStale())
        {
            Deny(ref decision, DenyReason.ConfigStale);
            return;
        }

        // :: Step 3: token known.
        if (ambiguousCredentials)
        {
            Deny(ref decision, DenyReason.AmbiguousCredentials);
            return;
        }

        if (token.IsEmpty)
        {
            Deny(ref decision, DenyReason.MissingToken);
            return;
        }

        if (token.Length > TokenHasher.MaxTokenLength)
        {
            Deny(ref decision, DenyReason.InvalidToken);
            return;
        }

        // A token verified against this snapshot before is found by its keyed tag; any other goes
        // through SHA-256, the index and a constant-time compare, and is remembered once it passes.
        // Ordinals are stable across deltas (TokenTable), so a cached one names the same token hash in
        // every state that shares the cache; the token there may be changed, or removed (null).
        var tag = state.TokenCache.Tag(token);
        TokenRuntime? tokenRuntime;
        if (state.TokenCache.TryGet(tag, out var ordinal))
        {
            tokenRuntime = state.Tokens.Get(ordinal);
        }
        else
        {
            Span<byte> hash = stackalloc byte[TokenHasher.HashLength];
            if (!TokenHasher.TryHash(token, hash))
            {
                Deny(ref decision, DenyReason.InvalidToken);
                return;
            }

            tokenRuntime = state.Tokens.TryFind(Key128.FromHash(hash), out ordinal) ? state.Tokens.Get(ordinal) : null;
            if (tokenRuntime is null || !CryptographicOperations.FixedTimeEquals(hash, tokenRuntime.Hash))
            {
                Deny(ref decision, DenyReason.UnknownToken);
                return;
            }

            state.TokenCache.Add(tag, ordinal);
        }

        if (tokenRuntime is null)
        {
            Deny(ref decision, DenyReason.UnknownToken);
            return;
        }

        decision.Token = tokenRuntime;
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();

        // :: Step 4: not revoked (in the served snapshot, or through the channel's overlay: revoked in a snapshot newer
        // than the one served, whose push has not got through), not expired, not suspended for an unpaid subscription.
        if (tokenRuntime.Revoked || (_revocations is not null && _revocations.IsRevoked(tokenRuntime.Id, state.Version)))
        {
            Deny(ref decision, DenyReason.RevokedToken);
            return;
        }

        if (tokenRuntime.Suspended)
        {
            Deny(ref decision, DenyReason.PaymentOverdue);
            return;
        }

        if (tokenRuntime.ExpiresAtUnix != 0 && nowMs >= tokenRuntime.ExpiresAtUnix * 1000)
        {
            Deny(ref decision, DenyReason.ExpiredToken);
            return;
        }

        // :: Step 5: this site's token.
        if (!ReferenceEquals(tokenRuntime.Site, site))
        {
            Deny(ref decision, DenyReason.WrongSite);
            return;
        }

        // :: Step 6: the plan covers the resource.
        var plan = tokenRuntime.Plan;
        if (calls is null ? !plan.CoversResource(resource) : !CoversAll(plan, calls))
        {
            Deny(ref decision, DenyReason.NotInPlan);
            return;
        }

        var cost = calls?.Cost ?? resource.Cost;

        // :: Step 6b: an end user of the token (OpenAI-compatible calls) has a quota, rate limit and balance of their own.
        // On a prepaid plan a user nobody ever credited is refused before anything is counted for them. Threat: a token
        // holder minting user ids to grow the counter store and the Redis ledger by one record each.
        LedgerAccount entitlement = tokenRuntime;
        var walletKey = tokenRuntime.WalletKey;
        if (calls?.EndUser is { } endUser)
        {
            decision.EndUserCustomer = OpenAi.OpenAiEndUser.AccountOf(tokenRuntime.Customer, endUser);
            entitlement = new EndUserAccount(tokenRuntime, endUser);
            if (plan.Prepaid)
            {
                walletKey = WalletAccount.KeyOf(site.Id, decision.EndUserCustomer, plan.Plan.Currency);
                if (_wallets?.Current is not { } book || !book.TryGet(walletKey, out _))
                {
                    decision.PriceMicros = PriceOf(plan, calls);
                    decision.BalanceMicros = 0;
                    Deny(ref decision, DenyReason.InsufficientBalance);
                    return;
                }
            }
        }

        // :: Step 7: rate limit then quota, checked and counted in one atomic read-modify-write.
        plan.GetPeriodBounds(nowMs, out var periodStart, out var periodEnd);
        var input = new EnforceInput
        {
            NowMs = nowMs,
            RateLimit = plan.RateLimit,
            RateWindowMs = plan.RateWindowMs,
            PeriodStartMs = periodStart,
            QuotaUnits = plan.QuotaUnits,
            SoftQuota = plan.SoftQuota,
            Cost = cost,
        };
        _sync?.Prepare(ref input, plan, entitlement);
        _counters.Enforce(entitlement.CounterKey, ref input, out var output);
        if (_sync is not null && (plan.HasQuota || plan.RateLimit > 0))
        {
            if (output.Verdict == EnforceVerdict.Admitted)
            {
                _sync.MarkDirty(entitlement);
            }

            if (output.PrefetchLease)
            {
                _sync.Prefetch(entitlement, cost);
            }
        }

        decision.Counted = true;
        decision.RateRemaining = output.RateRemaining;
        decision.RateResetSeconds = CeilSeconds(output.RateResetMs);
        decision.QuotaRemaining = output.QuotaRemaining;
        decision.QuotaResetSeconds = CeilSeconds(periodEnd - nowMs);
        decision.QuotaResetUnix = periodEnd / 1000;
        switch (output.Verdict)
        {
            case EnforceVerdict.RateLimited:
                Deny(ref decision, DenyReason.RateLimited);
                decision.RetryAfterSeconds = Math.Max(1, CeilSeconds(output.RetryAfterMs));
                decision.RateResetSeconds = decision.RetryAfterSeconds;
                return;
            case EnforceVerdict.QuotaExhausted:
                Deny(ref decision, DenyReason.QuotaExhausted);
                decision.RetryAfterSeconds = Math.Max(1, decision.QuotaResetSeconds);
                return;
            case EnforceVerdict.NeedLease or EnforceVerdict.NeedResync:
                // Until the ledger answers, this reads as a refusal; if it never does in time, the
                // client retries in a second, not at the end of the period: the quota may well be left.
                Deny(ref decision, DenyReason.QuotaExhausted);
                decision.RetryAfterSeconds = 1;
                decision.QuotaResetSeconds = 1;
                decision.Pending = output.Verdict;
                decision.PendingAccount = entitlement;
                decision.PendingCost = cost;
                return;
        }

        // :: Step 8: a prepaid plan debits the call's price from the customer's balance, or refuses it
        // with 402 and gives back what step 7 counted, so a refused call uses neither quota nor money.
        if (plan.Prepaid && (calls is null ? plan.PriceOf(resource) : PriceOf(plan, calls)) is var price and > 0)
        {
            decision.PriceMicros = price;
            if (!Debit(walletKey, price, nowMs, ref decision))
            {
                input.Operation = EnforceOperation.Refund;
                _counters.Enforce(entitlement.CounterKey, ref input, out _);
                return;
            }

            decision.ChargedMicros = price;
            decision.ChargedCurrency = plan.Plan.Currency;
        }

        decision.Outcome = DecisionOutcome.Allowed;
    }

    /// <summary>
    /// Debits <paramref name="price"/> from the token's balance: a hard quota in micro-units that never
    /// resets, whose limit is what was credited, leased across edges like any hard quota.
    /// </summary>
    private bool Debit(in Key128 walletKey, long price, long nowMs, ref Decision decision)
    {
        if (_wallets?.Current is not { } book || !book.TryGet(walletKey, out var wallet))
        {
            // Nothing was ever credited to this customer in this currency.
            decision.BalanceMicros = 0;
            Deny(ref decision, DenyReason.InsufficientBalance);
            return false;
        }

        var input = new EnforceInput
        {
            NowMs = nowMs,
            QuotaUnits = wallet.CreditedMicros,
            Cost = price,
        };
        _sync?.PrepareBalance(ref input, wallet);
        _counters.Enforce(wallet.CounterKey, ref input, out var output);
        decision.BalanceMicros = output.QuotaRemaining;
        if (_sync is not null)
        {
            if (output.Verdict == EnforceVerdict.Admitted)
            {
                _sync.MarkDirty(wallet);
            }

            if (output.PrefetchLease)
            {
                _sync.Prefetch(wallet, price);
            }
        }

        switch (output.Verdict)
        {
            case EnforceVerdict.Admitted:
                return true;
            case EnforceVerdict.NeedLease or EnforceVerdict.NeedResync:
                // Decided again once the ledger answers (bounded by LeaseTimeoutMs): the balance may well cover it.
                Deny(ref decision, DenyReason.InsufficientBalance);
                decision.Pending = output.Verdict;
                decision.PendingAccount = wallet;
                decision.PendingCost = price;
                return false;
            default:
                Deny(ref decision, DenyReason.InsufficientBalance);
                return false;
        }
    }

    /// <summary>
    /// Settles a metered call (<paramref name="decision"/>, its admission) admitted with <paramref name="reservedMicros"/> debited: gives back what it did not use
    /// (a refund on the balance's counter, as for a call refused after counting) or debits what it used beyond, if
    /// the balance still covers it. Returns what the call was charged in the end: the reservation plus the
    /// difference actually debited, so the decision log adds up to what the balance lost.
    /// </summary>
    public long Settle(in Decision decision, long reservedMicros, long actualMicros)
    {
        if (decision.Token is not { } token)
        {
            return reservedMicros;
        }

        // An end user's call settles on the end user's balance, the one its reservation was debited from.
        var walletKey = decision.EndUserCustomer is { } account ? WalletAccount.KeyOf(token.Site.Id, account, token.Plan.Plan.Currency) : token.WalletKey;
        if (actualMicros == reservedMicros || _wallets?.Current is not { } book || !book.TryGet(walletKey, out var wallet))
        {
            return reservedMicros;
        }

        var input = new EnforceInput
        {
            NowMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            QuotaUnits = wallet.CreditedMicros,
            Cost = Math.Abs(actualMicros - reservedMicros),
        };
        _sync?.PrepareBalance(ref input, wallet);
        if (actualMicros < reservedMicros)
        {
            input.Operation = EnforceOperation.Refund;
            _counters.Enforce(wallet.CounterKey, ref input, out _);
            _sync?.MarkDirty(wallet);
            return actualMicros;
        }

        _counters.Enforce(wallet.CounterKey, ref input, out var output);
        if (output.Verdict != EnforceVerdict.Admitted)
        {
            return reservedMicros;
        }

        _sync?.MarkDirty(wallet);
        return actualMicros;
    }

    private static bool CoversAll(PlanRuntime plan, CallSet calls)
    {
        foreach (var resource in calls.Priced)
        {
            if (!plan.CoversResource(resource))
            {
                return false;
            }
        }

        return true;
    }

    private static long PriceOf(PlanRuntime plan, CallSet calls)
    {
        if (calls.MeteredPriceMicros >= 0)
        {
            return calls.MeteredPriceMicros;
        }

        long price = 0;
        foreach (var resource in calls.Priced)
        {
            price += plan.PriceOf(resource);
        }

        return price;
    }

    private static void Deny(ref Decision decision, DenyReason reason)
    {
        decision.Outcome = DecisionOutcome.Denied;
        decision.Reason = reason;
    }

    private static long CeilSeconds(long milliseconds) => milliseconds <= 0 ? 0 : (milliseconds + 999) / 1000;
}
