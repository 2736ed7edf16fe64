using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Plans;
using EdgeFence.ControlPlane.Resources;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Snapshots;

/// <summary>Reads the whole configuration inside a change's transaction into the snapshot the edges will serve.</summary>
internal static class SnapshotReader
{
    /// <summary>
    /// A rotated-out token stays in snapshots this long after its grace ends, so the edge answers it with
    /// 403 token-expired (which tells a client to pick up its new token) rather than 401 unknown; past that
    /// it only makes snapshots bigger.
    /// </summary>
    public const long ExpiredHashRetentionSeconds = 7 * 86_400;

    /// <summary>The same for revoked tokens: 403 token-revoked for 30 days, then unknown.</summary>
    public const long RevokedRetentionSeconds = 30 * 86_400;

    public static Snapshot Read(Change change, long version, byte[]? stateHash = null)
    {
        var hosts = Group(change.Command("SELECT site_id, host FROM site_hosts ORDER BY site_id, position")
            .ReadAll(r => (r.GetString(0), r.GetString(1))));
        var injections = change.Command("SELECT site_id, kind, name, value FROM site_injections ORDER BY site_id, kind, position")
            .ReadAll(r => (Site: r.GetString(0), Kind: r.GetString(1), Pair: new NameValue(r.GetString(2), r.GetString(3))));
        var headers = Group(injections.Where(i => i.Kind == "header").Select(i => (i.Site, i.Pair)));
        var query = Group(injections.Where(i => i.Kind == "query").Select(i => (i.Site, i.Pair)));

        var x402 = SiteRows.X402Terms(change.Connection, change.Transaction);
        var sites = change.Command("SELECT id, name, slug, origin_url, hmac_secret, origin_key_hash, deny_by_default, top_up_url, mcp_filter_tools FROM sites ORDER BY id = $focus, created_at_unix, rowid").With("$focus", change.Focus)
            .ReadAll(r => new Site
            {
                Id = r.GetString(0),
                Name = r.GetString(1),
                Slug = r.GetString(2),
                OriginUrl = r.GetString(3),
                HmacSecret = (byte[])r.GetValue(4),
                OriginKeyHash = (byte[])r.GetValue(5),
                DenyByDefault = r.GetInt64(6) != 0,
                Hosts = hosts.GetValueOrDefault(r.GetString(0)) ?? [],
                StaticHeaders = headers.GetValueOrDefault(r.GetString(0)) ?? [],
                StaticQuery = query.GetValueOrDefault(r.GetString(0)) ?? [],
                TopUpUrl = r.NullableString(7),
                X402 = x402.GetValueOrDefault(r.GetString(0)),
                McpFilterTools = r.GetInt64(8) != 0,
            });

        var prices = Group(change.Command("SELECT plan_id, revision, resource_id, price_micros FROM plan_resource_prices ORDER BY plan_id, revision, resource_id")
            .ReadAll(r => (PlanRevisionId.For(r.GetString(0), r.GetInt64(1)), new ResourcePrice(r.GetString(2), r.GetInt64(3)))));

        // Every plan's current terms, and the older terms some token is still on.
        var plans = change.Command("""
            SELECT p.site_id, v.plan_id, v.revision, v.name, v.quota_units, v.quota_period, v.quota_mode,
                   v.rate_limit_requests, v.rate_limit_window_seconds, v.price_micros, v.currency, v.billing
            FROM plan_revisions v JOIN plans p ON p.id = v.plan_id
            WHERE v.revision = p.current_revision
               OR EXISTS (SELECT 1 FROM tokens t WHERE t.plan_id = v.plan_id AND t.plan_revision = v.revision)
            ORDER BY p.id = $focus, p.created_at_unix, p.rowid, v.revision
            """).With("$focus", change.Focus).ReadAll(r => new Plan
        {
            SiteId = r.GetString(0),
            Id = PlanRevisionId.For(r.GetString(1), r.GetInt64(2)),
            Name = r.GetString(3),
            QuotaUnits = r.NullableInt64(4),
            QuotaPeriod = (QuotaPeriod)r.GetInt64(5),
            QuotaMode = (QuotaMode)r.GetInt64(6),
            RateLimitRequests = r.IsDBNull(7) ? null : r.GetInt32(7),
            RateLimitWindowSeconds = r.GetInt32(8),
            PriceMicros = r.GetInt64(9),
            Currency = r.GetString(10),
            Billing = (PlanBilling)r.GetInt64(11),
            ResourcePrices = prices.GetValueOrDefault(PlanRevisionId.For(r.GetString(1), r.GetInt64(2))) ?? [],
        });

        var modelPrices = ResourceRows.AllModelPrices(change);
        var resources = change.Command("""
            SELECT id, site_id, pattern, methods, cost, private_path, price_micros, currency, payment, kind, mcp_tool,
                openai_default_max_tokens, openai_user_header, openai_balance_as_message, openai_origin_usage_header
            FROM resources ORDER BY id = $focus, created_at_unix, rowid
            """).With("$focus", change.Focus)
            .ReadAll(r => new Resource
            {
                Id = r.GetString(0),
                SiteId = r.GetString(1),
                Pattern = r.GetString(2),
                Methods = r.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries),
                Cost = r.GetInt64(4),
                PrivatePath = r.NullableString(5),
                PriceMicros = r.GetInt64(6),
                Currency = r.GetString(7),
                Payment = (ResourcePayment)r.GetInt64(8),
                Kind = (ResourceKind)r.GetInt64(9),
                McpTool = r.NullableString(10),
                OpenAiPrices = modelPrices.GetValueOrDefault(r.GetString(0)) ?? [],
                OpenAiDefaultMaxTokens = (int)r.GetInt64(11),
                OpenAiUserHeader = r.NullableString(12),
                OpenAiBalanceAsMessage = r.GetInt64(13) != 0,
                OpenAiOriginUsageHeader = r.NullableString(14),
            });

        var tokens = ReadTokens(change, touchedOnly: false);

        return new Snapshot
        {
            Version = version,
            CreatedAtUnixMs = change.Now.ToUnixTimeMilliseconds(),
            Sites = sites,
            Plans = plans,
            Resources = resources,
            Tokens = tokens,
            StateHash = stateHash ?? [],
        };
    }

    /// <summary>
    /// The token records of the hashes the current change touched (<c>snapshot_touched_tokens</c>, filled by triggers),
    /// as a full snapshot would hold them; a touched hash without a record is removed (deleted, or past retention).
    /// </summary>
    public static List<TokenRecord> ReadTouchedTokens(Change change) => ReadTokens(change, touchedOnly: true);

    private static List<TokenRecord> ReadTokens(Change change, bool touchedOnly)
    {
        var now = change.NowUnix;
        return change.Command($"""
            SELECT t.id, t.site_id, t.plan_id, t.plan_revision, t.customer, t.expires_at_unix, t.revoked_at_unix, h.hash, h.expires_at_unix, t.suspended_at_unix
            FROM token_hashes h JOIN tokens t ON t.id = h.token_id
            WHERE (h.expires_at_unix = 0 OR h.expires_at_unix > $expiredBefore)
              AND (t.revoked_at_unix IS NULL OR t.revoked_at_unix > $revokedBefore)
              {(touchedOnly ? "AND h.hash IN (SELECT hash FROM snapshot_touched_tokens)" : "")}
            ORDER BY t.id = $focus, t.created_at_unix, t.rowid, h.created_at_unix, h.rowid
            """).With("$focus", change.Focus).With("$expiredBefore", now - ExpiredHashRetentionSeconds).With("$revokedBefore", now - RevokedRetentionSeconds)
            .ReadAll(r => new TokenRecord
            {
                Id = r.GetString(0),
                SiteId = r.GetString(1),
                PlanId = PlanRevisionId.For(r.GetString(2), r.GetInt64(3)),
                Customer = r.GetString(4),
                ExpiresAtUnix = EarliestExpiry(r.GetInt64(5), r.GetInt64(8)),
                Revoked = !r.IsDBNull(6),
                Hash = (byte[])r.GetValue(7),
                Suspended = !r.IsDBNull(9),
            });
    }

    /// <summary>0 means never; otherwise the earlier of the entitlement's expiry and this token string's.</summary>
    private static long EarliestExpiry(long a, long b) => a == 0 ? b : b == 0 ? a : Math.Min(a, b);

    private static Dictionary<string, List<T>> Group<T>(IEnumerable<(string Key, T Value)> rows)
    {
        var result = new Dictionary<string, List<T>>(StringComparer.Ordinal);
        foreach (var (key, value) in rows)
        {
            if (!result.TryGetValue(key, out var list))
            {
                result[key] = list = [];
            }

            list.Add(value);
        }

        return result;
    }
}
