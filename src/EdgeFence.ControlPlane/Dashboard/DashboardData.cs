using System.Globalization;
using EdgeFence.ControlPlane.Edges;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Wallets;
using EdgeFence.Core.Ledger;
using EdgeFence.Core.Limits;
using EdgeFence.Core.Model;
using Microsoft.Data.Sqlite;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Dashboard;

/// <summary>
/// Every number the dashboard, the customer portal and the alerts show, read through this one class. Traffic and
/// revenue come from the edges' per-minute rollups (<c>Usage/</c>, in this database); the rest from the database (sites,
/// plans, tokens, deposits, balances), the edges' Redis ledger (usage <c>ef:{site:token}:q:&lt;period&gt;</c>, debits
/// through <see cref="DebitReader"/>) and the pushers. The decision search reads the per-request Redis stream, which
/// only edges with <c>EdgeFence:DecisionLogRedisStream</c> write.
/// </summary>
/// <remarks>
/// A page load must not be a way to tie up Redis or this process (a dashboard left open refreshes forever): the
/// decision search reads at most <see cref="MaxStreamEntries"/> stream entries; rollup reads are per minute and key.
/// </remarks>
internal sealed class DashboardData
{
    /// <summary>Most decision-stream entries one answer reads per site (the edges trim each stream near a million).</summary>
    public const int MaxStreamEntries = 200_000;

    private const int PageSize = 10_000;

    private readonly Database _database;
    private readonly IConnectionMultiplexer? _redis;
    private readonly EdgePusher _snapshots;
    private readonly EdgePusher _wallets;
    private readonly DebitReader _debits;
    private readonly TimeProvider _time;

    public DashboardData(Database database, IConnectionMultiplexer? redis, EdgePusher snapshots, EdgePusher wallets, DebitReader debits, TimeProvider time)
    {
        _database = database;
        _redis = redis;
        _snapshots = snapshots;
        _wallets = wallets;
        _debits = debits;
        _time = time;
    }

    public bool UsageKnown => _redis is not null;

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Revenue (the edges' charges, by currency) this calendar month (UTC) and last, deposits, subscribers, 24 h of traffic.</summary>
    public async Task<Overview> OverviewAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        var periodStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var lastStart = periodStart.AddMonths(-1);
        List<SiteSummary> sites;
        int subscribers;
        List<Money> depositsNow, depositsLast;
        using (var connection = _database.Open())
        {
            sites = Sites(connection);
            subscribers = (int)(long)connection.Command(null, """
                SELECT COUNT(*) FROM (SELECT DISTINCT site_id, customer FROM tokens
                WHERE revoked_at_unix IS NULL AND (expires_at_unix = 0 OR expires_at_unix > $now))
                """).With("$now", now.ToUnixTimeSeconds()).ExecuteScalar()!;
            depositsNow = Deposits(connection, periodStart, now.AddSeconds(1));
            depositsLast = Deposits(connection, lastStart, periodStart);
        }

        var traffic = new TrafficTally(now.ToUnixTimeMilliseconds() - (long)TimeSpan.FromHours(24).TotalMilliseconds, now.ToUnixTimeMilliseconds(), TimeSpan.FromHours(1));
        var revenue = new TrafficTally(lastStart.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds() + 1, null) { SplitAtMs = periodStart.ToUnixTimeMilliseconds() };
        string? note = null;
        foreach (var site in sites)
        {
            note ??= ReadRollups(site.Id, traffic);
            note ??= ReadRollups(site.Id, revenue);
        }

        return new Overview(periodStart, lastStart, revenue.ChargedAfterSplit(), revenue.ChargedBeforeSplit(), depositsNow, depositsLast, subscribers,
            traffic.Series(), traffic.TopCustomers(10), sites, note ?? traffic.Note ?? revenue.Note);
    }

    public async Task<SiteView?> SiteAsync(string siteId, CancellationToken cancellationToken)
    {
        var now = Now;
        SiteView? view;
        using (var connection = _database.Open())
        {
            var site = connection.Command(null, "SELECT id, name, slug, origin_url FROM sites WHERE id = $id").With("$id", siteId)
                .ReadOne(r => new[] { r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3) });
            if (site is null)
            {
                return null;
            }

            var plans = connection.Command(null, """
                SELECT p.id, v.name, (SELECT COUNT(*) FROM tokens t WHERE t.plan_id = p.id AND t.revoked_at_unix IS NULL)
                FROM plans p JOIN plan_revisions v ON v.plan_id = p.id AND v.revision = p.current_revision
                WHERE p.site_id = $site ORDER BY p.created_at_unix, p.id
                """).With("$site", siteId).ReadAll(r => (r.GetString(0), r.GetString(1), (int)r.GetInt64(2)));
            view = new SiteView(site[0], site[1], site[2], site[3], plans, [], [], [], null);
        }

        var periodStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var traffic = new TrafficTally(now.ToUnixTimeMilliseconds() - (long)TimeSpan.FromHours(24).TotalMilliseconds, now.ToUnixTimeMilliseconds(), TimeSpan.FromHours(1));
        var revenue = new TrafficTally(periodStart.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds() + 1, null);
        var note = ReadRollups(siteId, traffic)
            ?? ReadRollups(siteId, revenue);
        return view with { Traffic = traffic.Series(), TopCustomers = traffic.TopCustomers(10), RevenueThisPeriod = revenue.ChargedAfterSplit(), TrafficNote = note ?? traffic.Note };
    }

    public async Task<PlanView?> PlanAsync(string planId, CancellationToken cancellationToken)
    {
        PlanView? plan;
        List<TokenRow> tokens;
        using (var connection = _database.Open())
        {
            plan = connection.Command(null, """
                SELECT p.id, p.site_id, s.name, v.name, v.quota_units, v.quota_period, v.quota_mode, v.price_micros, v.currency
                FROM plans p JOIN plan_revisions v ON v.plan_id = p.id AND v.revision = p.current_revision JOIN sites s ON s.id = p.site_id
                WHERE p.id = $id
                """).With("$id", planId).ReadOne(r => new PlanView(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.NullableInt64(4),
                    ((QuotaPeriod)r.GetInt64(5)).ToString().ToLowerInvariant(), (QuotaMode)r.GetInt64(6) == QuotaMode.Soft ? "soft" : "hard", r.GetInt64(7), r.GetString(8), [], [], false));
            if (plan is null)
            {
                return null;
            }

            tokens = TokenRows(connection, "t.plan_id = $key", plan.Id);
        }

        var usage = await UsageAsync(tokens, cancellationToken).ConfigureAwait(false);
        var live = usage.Where(t => !t.Revoked && t.Quota is > 0 && t.Used is not null).ToList();
        int Above(double share) => live.Count(t => t.Used!.Value >= share * t.Quota!.Value);
        var distribution = new List<(string, int)>
        {
            ("under 50%", live.Count - Above(0.5)),
            ("50–80%", Above(0.5) - Above(0.8)),
            ("80–100%", Above(0.8) - Above(1.0)),
            ("100% and over", Above(1.0)),
        };
        return plan with { Tokens = usage, Distribution = distribution, UsageKnown = UsageKnown };
    }

    public async Task<CustomerView?> CustomerAsync(string siteId, string customer, bool withTraffic, CancellationToken cancellationToken)
    {
        string? siteName;
        List<TokenRow> tokens;
        List<(string Currency, long CreditedMicros)> wallets;
        using (var connection = _database.Open())
        {
            siteName = connection.Command(null, "SELECT name FROM sites WHERE id = $id").With("$id", siteId).ReadAll(r => r.GetString(0)).FirstOrDefault();
            if (siteName is null)
            {
                return null;
            }

            tokens = TokenRows(connection, "t.site_id = $site AND t.customer = $key", customer, siteId);
            wallets = WalletRows.ForCustomer(connection, siteId, customer);
        }

        if (tokens.Count == 0 && wallets.Count == 0)
        {
            return null;
        }

        var usage = await UsageAsync(tokens, cancellationToken).ConfigureAwait(false);
        var debits = _debits.Available && wallets.Count > 0 ? await _debits.ReadAsync(siteId, customer, [.. wallets.Select(w => w.Currency)]).ConfigureAwait(false) : null;
        var balances = wallets.Select((w, i) => new BalanceView(w.Currency, w.CreditedMicros, debits?[i].DebitedMicros)).ToList();
        IReadOnlyList<TrafficPoint> series = [];
        string? note = null;
        if (withTraffic)
        {
            var now = Now.ToUnixTimeMilliseconds();
            var traffic = new TrafficTally(now - (long)TimeSpan.FromHours(24).TotalMilliseconds, now, TimeSpan.FromHours(1)) { Customer = customer };
            note = ReadRollups(siteId, traffic) ?? traffic.Note;
            series = traffic.Series();
        }

        return new CustomerView(siteId, siteName, customer, usage, balances, series, note);
    }

    /// <summary>Every customer's balances at every site, for the <c>balance.low</c> alert (null debits when unknown).</summary>
    public async Task<List<(string SiteId, string Customer, BalanceView Balance)>> AllBalancesAsync()
    {
        List<(string Site, string Customer, string Currency, long Credited)> rows;
        using (var connection = _database.Open())
        {
            rows = connection.Command(null, "SELECT w.site_id, w.customer, w.currency, w.credited_micros FROM wallets w JOIN sites s ON s.id = w.site_id ORDER BY 1, 2, 3")
                .ReadAll(r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)));
        }

        var result = new List<(string, string, BalanceView)>(rows.Count);
        foreach (var row in rows)
        {
            var debited = _debits.Available ? (await _debits.ReadAsync(row.Site, row.Customer, [row.Currency]).ConfigureAwait(false))[0].DebitedMicros : (long?)null;
            result.Add((row.Site, row.Customer, new BalanceView(row.Currency, row.Credited, debited)));
        }

        return result;
    }

    /// <summary>Every live token with a quota at a site, with its usage of the current period, for <c>quota.threshold</c>.</summary>
    public async Task<IReadOnlyList<TokenUsage>> QuotaTokensAsync(string siteId, CancellationToken cancellationToken)
    {
        List<TokenRow> tokens;
        using (var connection = _database.Open())
        {
            tokens = TokenRows(connection, "t.site_id = $key AND t.revoked_at_unix IS NULL AND v.quota_units IS NOT NULL", siteId);
        }

        return await UsageAsync(tokens, cancellationToken).ConfigureAwait(false);
    }

    public EdgesView Edges()
    {
        var snapshots = _snapshots.Status();
        var wallets = _wallets.Status();
        var redis = _redis is null ? "standalone" : _redis.IsConnected ? "up" : "down";
        var edges = snapshots.Edges.Select((e, i) => new EdgeView(e.Url, e.AppliedVersion, i < wallets.Edges.Count ? wallets.Edges[i].AppliedVersion : null,
            e.LastResult, e.LastSuccessAt, e.LastAttemptAt, e.ConsecutiveFailures)).ToList();
        return new EdgesView(snapshots.LatestVersion, wallets.LatestVersion, redis, edges);
    }

    /// <summary>The decision with <paramref name="requestId"/> in a site's stream, newest first, over the last day; null when not found.</summary>
    public async Task<DecisionView?> DecisionAsync(string siteId, string requestId, CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return null;
        }

        var redis = _redis.GetDatabase();
        var key = "ef:{" + siteId + "}:decisions";
        RedisValue max = "+";
        var min = (Now.ToUnixTimeMilliseconds() - (long)TimeSpan.FromHours(24).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        long read = 0;
        try
        {
            while (read < MaxStreamEntries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await redis.StreamRangeAsync(key, min, max, PageSize, Order.Descending).ConfigureAwait(false);
                foreach (var entry in page)
                {
                    if (entry.Values.Any(v => v.Name == "requestId" && v.Value == requestId))
                    {
                        return new DecisionView(entry.Id.ToString(), [.. entry.Values.Select(v => (v.Name.ToString(), v.Value.ToString()))]);
                    }
                }

                read += page.Length;
                if (page.Length < PageSize)
                {
                    return null;
                }

                max = "(" + page[^1].Id;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new ApiProblemException(503, "stats-unavailable", "The decision log is not available", ex.Message);
        }

        return null;
    }

    private static List<SiteSummary> Sites(SqliteConnection connection) => connection.Command(null, """
        SELECT s.id, s.name, s.slug, (SELECT COUNT(*) FROM plans p WHERE p.site_id = s.id),
               (SELECT COUNT(*) FROM tokens t WHERE t.site_id = s.id AND t.revoked_at_unix IS NULL)
        FROM sites s ORDER BY s.created_at_unix, s.id
        """).ReadAll(r => new SiteSummary(r.GetString(0), r.GetString(1), r.GetString(2), (int)r.GetInt64(3), (int)r.GetInt64(4)));

    private static List<Money> Deposits(SqliteConnection connection, DateTimeOffset from, DateTimeOffset to) => connection.Command(null, """
        SELECT currency, SUM(amount_micros) FROM deposits WHERE created_at_unix_ms >= $from AND created_at_unix_ms < $to GROUP BY currency ORDER BY currency
        """).With("$from", from.ToUnixTimeMilliseconds()).With("$to", to.ToUnixTimeMilliseconds()).ReadAll(r => new Money(r.GetString(0), r.GetInt64(1)));

    private sealed record TokenRow(string Id, string SiteId, string Customer, string PlanId, string PlanName, long? Quota, QuotaPeriod Period, bool Revoked, long ExpiresAtUnix);

    private static List<TokenRow> TokenRows(SqliteConnection connection, string where, string key, string? siteId = null) => connection.Command(null, $"""
        SELECT t.id, t.site_id, t.customer, t.plan_id, v.name, v.quota_units, v.quota_period, t.revoked_at_unix IS NOT NULL, t.expires_at_unix
        FROM tokens t JOIN plan_revisions v ON v.plan_id = t.plan_id AND v.revision = t.plan_revision
        WHERE {where} ORDER BY t.customer, t.created_at_unix, t.id
        """).With("$key", key).With("$site", siteId).ReadAll(r => new TokenRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
            r.NullableInt64(5), (QuotaPeriod)r.GetInt64(6), r.GetBoolean(7), r.GetInt64(8)));

    /// <summary>Each token's units this period from the edges' ledger, pipelined (one round trip for the lot).</summary>
    private async Task<IReadOnlyList<TokenUsage>> UsageAsync(List<TokenRow> tokens, CancellationToken cancellationToken)
    {
        var now = Now.ToUnixTimeMilliseconds();
        var reads = new Task<HashEntry[]>?[tokens.Count];
        var ends = new long[tokens.Count];
        var redis = _redis?.GetDatabase();
        for (var i = 0; i < tokens.Count; i++)
        {
            BillingPeriod.GetBounds(tokens[i].Period, now, out var start, out ends[i]);
            reads[i] = redis?.HashGetAllAsync(string.Create(CultureInfo.InvariantCulture, $"ef:{{{tokens[i].SiteId}:{tokens[i].Id}}}:q:{start}"));
        }

        try
        {
            await Task.WhenAll(reads.OfType<Task<HashEntry[]>>()).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new ApiProblemException(503, "usage-unavailable", "Usage is not available", ex.Message);
        }

        return [.. tokens.Select((t, i) => new TokenUsage(t.Id, t.SiteId, t.Customer, t.PlanId, t.PlanName, t.Quota, reads[i] is { } read ? Used(read.Result) : null, t.Revoked,
            t.ExpiresAtUnix == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(t.ExpiresAtUnix), DateTimeOffset.FromUnixTimeMilliseconds(ends[i])))];
    }

    private static long Used(HashEntry[] entries)
    {
        long used = 0;
        foreach (var entry in entries)
        {
            if (LedgerFields.Weight(entry.Name.ToString()) is var weight and not 0 && entry.Value.TryParse(out long units))
            {
                used += weight * units;
            }
        }

        return used;
    }

    /// <summary>
    /// Adds a site's rollup rows in the tally's range (the edges' per-minute aggregates, Usage/RollupStore): cost
    /// proportional to the active keys of each minute, not to requests. Always null (no note): the rows are in the
    /// control plane's own database; minutes an edge has not shipped yet (at most its flush interval) are simply not there.
    /// </summary>
    private string? ReadRollups(string siteId, TrafficTally tally)
    {
        using var connection = _database.Open();
        using var command = connection.Command(null, """
            SELECT minute_unix_ms, decision, customer, SUM(requests), SUM(units), SUM(charged_micros), currency FROM usage_rollups
            WHERE site_id = $site AND minute_unix_ms >= $from AND minute_unix_ms < $to
            GROUP BY minute_unix_ms, decision, customer, currency
            """).With("$site", siteId).With("$from", tally.FromMs).With("$to", tally.ToMs);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            tally.Add(siteId, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetString(6));
        }

        return null;
    }
}
