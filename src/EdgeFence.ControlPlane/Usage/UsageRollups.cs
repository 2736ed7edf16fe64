using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Limits;
using EdgeFence.Core.Model;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Usage;

/// <summary>
/// The one reader of the rollups (<c>usage_rollups</c>, written by <see cref="RollupStore"/>): series, totals, top
/// customers, quota utilization per plan, one customer's usage. The <c>/v1/analytics</c> endpoints, the site stats and
/// the dashboard all call it, so what they show is the same numbers. Ranges are in whole minutes: a minute counts
/// when it starts in <c>[from, to)</c>. Callers bound the ranges (see <see cref="AnalyticsEndpoints"/>).
/// </summary>
public sealed class UsageRollups
{
    private readonly Database _database;

    internal UsageRollups(Database database) => _database = database;

    /// <summary>Decisions per <paramref name="stepMs"/> from <paramref name="fromMs"/>; every step is present.</summary>
    public UsageSeriesResponse Series(string? siteId, long fromMs, long toMs, long stepMs) => Series(siteId, null, fromMs, toMs, stepMs);

    public UsageTotalsResponse Totals(string? siteId, long fromMs, long toMs) => Totals(siteId, null, fromMs, toMs);

    /// <summary>The <paramref name="count"/> customers with the most units, then requests, then by name.</summary>
    public TopCustomersResponse TopCustomers(string? siteId, long fromMs, long toMs, int count)
    {
        using var connection = _database.Open();
        var byCustomer = new Dictionary<string, CustomerTotals>(StringComparer.Ordinal);
        using var command = Filtered(connection, $"""
            SELECT customer, decision, currency, SUM(requests), SUM(units), SUM(charged_micros) FROM usage_rollups
            WHERE {Where(siteId, null)} AND customer <> '' GROUP BY customer, decision, currency
            """, siteId, null, fromMs, toMs);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var customer = reader.GetString(0);
                if (!byCustomer.TryGetValue(customer, out var totals))
                {
                    byCustomer[customer] = totals = new CustomerTotals { Customer = customer };
                }

                var requests = reader.GetInt64(3);
                totals.Requests += requests;
                totals.Units += reader.GetInt64(4);
                switch (reader.GetString(1))
                {
                    case "allow": totals.Allowed += requests; break;
                    case "deny": totals.Denied += requests; break;
                }

                AddMoney(totals.ChargedMicros, reader.GetString(2), reader.GetInt64(5));
            }
        }

        return new TopCustomersResponse
        {
            SiteId = siteId,
            From = DateTimeOffset.FromUnixTimeMilliseconds(fromMs),
            To = DateTimeOffset.FromUnixTimeMilliseconds(toMs),
            Items = [.. byCustomer.Values.OrderByDescending(c => c.Units).ThenByDescending(c => c.Requests).ThenBy(c => c.Customer, StringComparer.Ordinal).Take(count)],
        };
    }

    /// <summary>The <paramref name="count"/> tokens of a site with the most units, then requests, then by id.</summary>
    public IReadOnlyList<(string TokenId, string Customer, long Requests, long Units)> TopTokens(string siteId, long fromMs, long toMs, int count)
    {
        using var connection = _database.Open();
        using var command = Filtered(connection, $"""
            SELECT token_id, MAX(customer), SUM(requests), SUM(units) FROM usage_rollups
            WHERE {Where(siteId, null)} AND token_id <> '' GROUP BY token_id
            ORDER BY SUM(units) DESC, SUM(requests) DESC, token_id LIMIT $count
            """, siteId, null, fromMs, toMs).With("$count", count);
        var top = new List<(string, string, long, long)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            top.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return top;
    }

    /// <summary>
    /// The plan's tokens with a quota against their current billing period at <paramref name="atMs"/>: how many
    /// used more than 50, 80 and 100 % of it. Null when there is no such plan.
    /// </summary>
    public QuotaUtilizationResponse? QuotaUtilization(string planId, long atMs)
    {
        using var connection = _database.Open();
        var siteId = connection.Command(null, "SELECT site_id FROM plans WHERE id = $id").With("$id", planId).ReadOne(r => r.GetString(0));
        if (siteId is null)
        {
            return null;
        }

        var tokens = connection.Command(null, """
            SELECT t.id, t.customer, v.quota_units, v.quota_period FROM tokens t
            JOIN plan_revisions v ON v.plan_id = t.plan_id AND v.revision = t.plan_revision
            WHERE t.plan_id = $plan AND t.revoked_at_unix IS NULL AND v.quota_units IS NOT NULL AND v.quota_units > 0
            """).With("$plan", planId).ReadAll(r => (Id: r.GetString(0), Customer: r.GetString(1), Quota: r.GetInt64(2), Period: (QuotaPeriod)r.GetInt64(3)));

        // Units per entitlement in its period, whatever plan the units were counted under (the edges' ledger is per
        // token and period too, so a token migrated mid-period keeps what it used).
        var used = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var period in tokens.Select(t => t.Period).Distinct())
        {
            BillingPeriod.GetBounds(period, atMs, out var startMs, out var endMs);
            using var command = connection.Command(null, """
                SELECT r.token_id, SUM(r.units) FROM usage_rollups r
                WHERE r.site_id = $site AND r.minute_unix_ms >= $from AND r.minute_unix_ms < $to AND r.decision = 'allow'
                  AND r.token_id IN (SELECT id FROM tokens WHERE plan_id = $plan)
                GROUP BY r.token_id
                """).With("$site", siteId).With("$from", startMs).With("$to", endMs).With("$plan", planId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                used[reader.GetString(0) + "|" + (int)period] = reader.GetInt64(1);
            }
        }

        var rows = new List<TokenUtilization>(tokens.Count);
        foreach (var token in tokens)
        {
            BillingPeriod.GetBounds(token.Period, atMs, out var startMs, out _);
            var units = used.GetValueOrDefault(token.Id + "|" + (int)token.Period);
            rows.Add(new TokenUtilization
            {
                TokenId = token.Id,
                Customer = token.Customer,
                Used = units,
                Quota = token.Quota,
                Utilization = (double)units / token.Quota,
                PeriodStart = DateTimeOffset.FromUnixTimeMilliseconds(startMs),
            });
        }

        return new QuotaUtilizationResponse
        {
            PlanId = planId,
            At = DateTimeOffset.FromUnixTimeMilliseconds(atMs),
            Tokens = rows.Count,

            // Integer comparisons: "above 80 %" is used * 100 > quota * 80, with no rounding at the edge of a bucket.
            Above50 = rows.Count(r => r.Used * 100 > r.Quota * 50),
            Above80 = rows.Count(r => r.Used * 100 > r.Quota * 80),
            Above100 = rows.Count(r => r.Used > r.Quota),
            Top = [.. rows.OrderByDescending(r => r.Utilization).ThenBy(r => r.TokenId, StringComparer.Ordinal).Take(100)],
        };
    }

    /// <summary>One customer's decisions (all sites): totals, a series and per token.</summary>
    public CustomerUsageResponse PerCustomer(string customer, long fromMs, long toMs, long stepMs)
    {
        var tokens = new List<TokenTotals>();
        using (var connection = _database.Open())
        {
            using var command = Filtered(connection, $"""
                SELECT token_id, site_id, SUM(requests), SUM(units) FROM usage_rollups
                WHERE {Where(null, customer)} AND token_id <> '' GROUP BY token_id, site_id ORDER BY SUM(units) DESC, SUM(requests) DESC, token_id
                """, null, customer, fromMs, toMs);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tokens.Add(new TokenTotals { TokenId = reader.GetString(0), SiteId = reader.GetString(1), Requests = reader.GetInt64(2), Units = reader.GetInt64(3) });
            }
        }

        return new CustomerUsageResponse
        {
            Customer = customer,
            Totals = Totals(null, customer, fromMs, toMs),
            Series = Series(null, customer, fromMs, toMs, stepMs),
            Tokens = tokens,
        };
    }

    private UsageSeriesResponse Series(string? siteId, string? customer, long fromMs, long toMs, long stepMs)
    {
        var points = new List<UsagePoint>();
        for (var t = fromMs; t < toMs; t += stepMs)
        {
            points.Add(new UsagePoint { T = DateTimeOffset.FromUnixTimeMilliseconds(t) });
        }

        using var connection = _database.Open();
        using var command = Filtered(connection, $"""
            SELECT ($from + ((minute_unix_ms - $from) / $step) * $step) AS t, decision, currency, SUM(requests), SUM(units), SUM(charged_micros)
            FROM usage_rollups WHERE {Where(siteId, customer)} GROUP BY t, decision, currency
            """, siteId, customer, fromMs, toMs).With("$step", stepMs);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var point = points[(int)((reader.GetInt64(0) - fromMs) / stepMs)];
            var requests = reader.GetInt64(3);
            point.Requests += requests;
            point.Units += reader.GetInt64(4);
            switch (reader.GetString(1))
            {
                case "allow": point.Allowed += requests; break;
                case "deny": point.Denied += requests; break;
                default: point.Passthrough += requests; break;
            }

            AddMoney(point.ChargedMicros, reader.GetString(2), reader.GetInt64(5));
        }

        return new UsageSeriesResponse
        {
            SiteId = siteId,
            From = DateTimeOffset.FromUnixTimeMilliseconds(fromMs),
            To = DateTimeOffset.FromUnixTimeMilliseconds(toMs),
            StepSeconds = stepMs / 1000,
            Points = points,
        };
    }

    private UsageTotalsResponse Totals(string? siteId, string? customer, long fromMs, long toMs)
    {
        var totals = new UsageTotalsResponse
        {
            SiteId = siteId,
            From = DateTimeOffset.FromUnixTimeMilliseconds(fromMs),
            To = DateTimeOffset.FromUnixTimeMilliseconds(toMs),
        };
        using var connection = _database.Open();
        using (var command = Filtered(connection, $"""
            SELECT decision, reason, currency, SUM(requests), SUM(units), SUM(charged_micros) FROM usage_rollups
            WHERE {Where(siteId, customer)} GROUP BY decision, reason, currency
            """, siteId, customer, fromMs, toMs))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var requests = reader.GetInt64(3);
                totals.Requests += requests;
                totals.Units += reader.GetInt64(4);
                switch (reader.GetString(0))
                {
                    case "allow": totals.Allowed += requests; break;
                    case "deny":
                        totals.Denied += requests;
                        totals.DeniedByReason[reader.GetString(1)] = totals.DeniedByReason.GetValueOrDefault(reader.GetString(1)) + requests;
                        break;
                    default: totals.Passthrough += requests; break;
                }

                AddMoney(totals.RevenueMicros, reader.GetString(2), reader.GetInt64(5));
            }
        }

        using (var command = Filtered(connection, $"""
            SELECT COUNT(DISTINCT NULLIF(customer, '')), COUNT(DISTINCT NULLIF(token_id, '')) FROM usage_rollups
            WHERE {Where(siteId, customer)} AND decision = 'allow'
            """, siteId, customer, fromMs, toMs))
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            totals.ActiveCustomers = reader.GetInt64(0);
            totals.ActiveTokens = reader.GetInt64(1);
        }

        return totals;
    }

    /// <summary>The range, and the site or customer when given: built per call, so SQLite sees plain equality and uses the key.</summary>
    private static string Where(string? siteId, string? customer)
        => "minute_unix_ms >= $from AND minute_unix_ms < $to"
            + (siteId is null ? "" : " AND site_id = $site")
            + (customer is null ? "" : " AND customer = $customer");

    private static SqliteCommand Filtered(SqliteConnection connection, string sql, string? siteId, string? customer, long fromMs, long toMs)
    {
        var command = connection.Command(null, sql).With("$from", fromMs).With("$to", toMs);
        if (siteId is not null)
        {
            command.With("$site", siteId);
        }

        if (customer is not null)
        {
            command.With("$customer", customer);
        }

        return command;
    }

    private static void AddMoney(Dictionary<string, long> money, string currency, long micros)
    {
        if (currency.Length > 0 && micros != 0)
        {
            money[currency] = money.GetValueOrDefault(currency) + micros;
        }
    }
}
