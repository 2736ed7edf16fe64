using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Secrets;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Limits;
using EdgeFence.Core.Model;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>
/// Records usage events exactly once: one SQLite transaction holds the event (unique per site and idempotency key)
/// and the new total of the token's period; after the commit the total goes to the Redis ledger the edges count
/// from (<see cref="UsageLedgerPusher"/>). A total, not an increment, is what travels, so a retried push never
/// counts twice.
/// </summary>
internal sealed class UsageEventRecorder
{
    /// <summary>
    /// How far ahead of this clock an event's timestamp may be: origins' clocks drift, but an event dated next
    /// month would count against a period no edge enforces yet.
    /// </summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private readonly Database _database;
    private readonly UsageLedgerPusher _pusher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public UsageEventRecorder(Database database, UsageLedgerPusher pusher, TimeProvider time, ILogger logger)
    {
        _database = database;
        _pusher = pusher;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Counts <paramref name="usage"/>, or answers the event its idempotency key already recorded (<c>Replayed</c>).
    /// The same key on the same site with another token, metric, quantity or timestamp is 409
    /// <c>idempotency-key-reused</c>. On any refusal nothing is written. <paramref name="authorizedSite"/>, when
    /// not null, is the only site the caller may report for (an origin key is one site's).
    /// </summary>
    public async Task<(UsageEventResponse Event, bool Replayed)> RecordAsync(UsageEvent usage, string? authorizedSite, CancellationToken cancellationToken)
    {
        UsageEventResponse recorded;
        UsageTotal total;
        var now = _time.GetUtcNow();
        using (var connection = _database.Open())
        {
            // Microsoft.Data.Sqlite begins IMMEDIATE: the key lookup and the insert cannot be split by another writer.
            using var transaction = connection.BeginTransaction();
            var change = new Change(connection, transaction, now);

            // :: Step 1: the token, the units, the period.
            var token = FindToken(change, usage, authorizedSite);
            var existing = UsageEventRows.FindByKey(change, token.SiteId, usage.IdempotencyKey);
            if (existing is not null)
            {
                if (existing.TokenId != token.Id || existing.Metric != usage.Metric || existing.Quantity != usage.Quantity
                    || (usage.Timestamp is { } at && at.ToUnixTimeMilliseconds() != existing.OccurredAt.ToUnixTimeMilliseconds()))
                {
                    throw ApiProblemException.Conflict("idempotency-key-reused",
                        $"idempotency key '{usage.IdempotencyKey}' already recorded event {existing.Id} with another token, metric, quantity or timestamp");
                }

                UsageEventLog.Replayed(_logger, existing.Id);
                return (existing, true);
            }

            var units = Units(change, token.SiteId, usage);
            var occurred = usage.Timestamp ?? now;
            var (startMs, endMs) = Period(token.Period, occurred, now);

            // :: Step 2: the event and the period's new total, committed together.
            var expireAtMs = endMs + (long)UsageLedgerPusher.Retention.TotalMilliseconds;
            var periodUnits = UsageEventRows.AddToTotal(change, token.SiteId, token.Id, startMs, expireAtMs, units);
            recorded = new UsageEventResponse
            {
                Id = SecretGenerator.Id("use"),
                SiteId = token.SiteId,
                TokenId = token.Id,
                Customer = token.Customer,
                Metric = usage.Metric,
                Quantity = usage.Quantity,
                Units = units,
                IdempotencyKey = usage.IdempotencyKey,
                OccurredAt = occurred,
                PeriodStart = DateTimeOffset.FromUnixTimeMilliseconds(startMs),
                PeriodUnits = periodUnits,
                CreatedAt = now,
            };
            UsageEventRows.Insert(change, recorded);
            transaction.Commit();
            total = new UsageTotal(token.SiteId, token.Id, startMs, periodUnits, expireAtMs);
        }

        UsageEventLog.Recorded(_logger, recorded.Id, recorded.Units, recorded.TokenId, recorded.SiteId, recorded.PeriodStart, recorded.PeriodUnits);

        // :: Step 3: into the edges' ledger now if Redis answers; the pusher's loop retries what it could not.
        await _pusher.PushAsync(total, cancellationToken).ConfigureAwait(false);
        return (recorded, false);
    }

    private static TokenTerms FindToken(Change change, UsageEvent usage, string? authorizedSite)
    {
        const string Select = """
            SELECT t.id, t.site_id, t.customer, v.quota_period
            FROM tokens t JOIN plan_revisions v ON v.plan_id = t.plan_id AND v.revision = t.plan_revision
            """;
        static TokenTerms Read(Microsoft.Data.Sqlite.SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), (QuotaPeriod)r.GetInt64(3));

        if (usage.TokenId is { } tokenId)
        {
            // A revoked or expired token still takes usage: the work was done while it was valid, and is reported late.
            // Another site's token is "not found", so a site's origin key learns nothing about other sites' tokens.
            var token = change.Command(Select + " WHERE t.id = $id").With("$id", tokenId).ReadOne(Read);
            if (token is null || (usage.SiteId is { } site && site != token.SiteId) || (authorizedSite is not null && authorizedSite != token.SiteId))
            {
                throw ApiProblemException.NotFound("token", tokenId);
            }

            return token;
        }

        if (authorizedSite is not null && authorizedSite != usage.SiteId)
        {
            throw ApiProblemException.NotFound("site", usage.SiteId!);
        }

        var active = change.Command(Select + """
             WHERE t.site_id = $site AND t.customer = $customer AND t.revoked_at_unix IS NULL
             AND (t.expires_at_unix = 0 OR t.expires_at_unix > $now) LIMIT 2
            """).With("$site", usage.SiteId).With("$customer", usage.Customer).With("$now", change.NowUnix).ReadAll(Read);
        return active.Count switch
        {
            0 => throw new ApiProblemException(404, "not-found", "Not found", $"customer '{usage.Customer}' has no active token on site '{usage.SiteId}'"),
            1 => active[0],
            _ => throw ApiProblemException.Conflict("ambiguous-customer",
                $"customer '{usage.Customer}' has several active tokens on site '{usage.SiteId}': send tokenId to say which one the usage belongs to"),
        };
    }

    private static long Units(Change change, string siteId, UsageEvent usage)
    {
        if (usage.Metric == UsageEventInput.UnitsMetric)
        {
            return usage.Quantity;
        }

        using var command = change.Command("SELECT cost FROM resources WHERE id = $id AND site_id = $site").With("$id", usage.Metric).With("$site", siteId);
        if (command.ExecuteScalar() is not long cost)
        {
            throw ApiProblemException.Invalid("metric", $"'{usage.Metric}' is neither '{UsageEventInput.UnitsMetric}' nor a resource id of site '{siteId}'");
        }

        // Both factors are bounded (quantity by MaxQuantity, cost by the snapshot validator), but their product
        // still must stay where Redis' Lua counts exactly.
        var units = usage.Quantity * cost;
        if (units > UsageEventInput.MaxQuantity)
        {
            throw ApiProblemException.Invalid("quantity", $"{usage.Quantity} calls of resource '{usage.Metric}' at {cost} units each exceed {UsageEventInput.MaxQuantity} units");
        }

        return units;
    }

    /// <summary>
    /// The bounds of the billing period <paramref name="occurred"/> falls in: the current one or the one before
    /// (late reports of last period's work), never an older one, whose invoice may be closed, nor the future.
    /// </summary>
    private static (long StartMs, long EndMs) Period(QuotaPeriod period, DateTimeOffset occurred, DateTimeOffset now)
    {
        var occurredMs = occurred.ToUnixTimeMilliseconds();
        if (occurred > now + MaxClockSkew)
        {
            throw ApiProblemException.Invalid("timestamp", $"{occurred:O} is in the future (more than {MaxClockSkew.TotalMinutes} minutes ahead of {now:O})");
        }

        BillingPeriod.GetBounds(period, now.ToUnixTimeMilliseconds(), out var currentStartMs, out _);
        BillingPeriod.GetBounds(period, currentStartMs - 1, out var previousStartMs, out _);
        if (occurredMs < previousStartMs)
        {
            throw ApiProblemException.Invalid("timestamp",
                $"{occurred:O} is before the previous billing period (it started {DateTimeOffset.FromUnixTimeMilliseconds(previousStartMs):O}); older usage is not accepted");
        }

        BillingPeriod.GetBounds(period, occurredMs, out var startMs, out var endMs);
        return (startMs, endMs);
    }

    private sealed record TokenTerms(string Id, string SiteId, string Customer, QuotaPeriod Period);
}
