using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Model;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Sites;

/// <summary>The SQL of sites: their row, their hosts, their static headers and query parameters.</summary>
internal static class SiteRows
{
    public static bool Exists(SqliteConnection connection, SqliteTransaction? transaction, string id) =>
        connection.Command(transaction, "SELECT 1 FROM sites WHERE id = $id").With("$id", id).Exists();

    public static bool SlugTaken(Change change, string slug, string? exceptSiteId) =>
        change.Command("SELECT 1 FROM sites WHERE slug = $slug AND id IS NOT $except").With("$slug", slug).With("$except", exceptSiteId).Exists();

    public static void Insert(Change change, string id, string name, string slug, string originUrl, byte[] hmacSecret, byte[] originKeyHash, bool denyByDefault, string? topUpUrl, bool mcpFilterTools)
    {
        change.Command("""
            INSERT INTO sites (id, name, slug, origin_url, hmac_secret, origin_key_hash, deny_by_default, top_up_url, mcp_filter_tools, created_at_unix)
            VALUES ($id, $name, $slug, $origin, $secret, $originKeyHash, $deny, $topUp, $mcpFilter, $now)
            """).With("$id", id).With("$name", name).With("$slug", slug).With("$origin", originUrl).With("$secret", hmacSecret)
            .With("$originKeyHash", originKeyHash).With("$deny", denyByDefault ? 1 : 0).With("$topUp", topUpUrl).With("$mcpFilter", mcpFilterTools ? 1 : 0).With("$now", change.NowUnix).Execute();
    }

    public static void Update(Change change, string id, string name, string slug, string originUrl, bool denyByDefault, string? topUpUrl, bool mcpFilterTools)
    {
        change.Command("UPDATE sites SET name = $name, slug = $slug, origin_url = $origin, deny_by_default = $deny, top_up_url = $topUp, mcp_filter_tools = $mcpFilter WHERE id = $id")
            .With("$id", id).With("$name", name).With("$slug", slug).With("$origin", originUrl).With("$deny", denyByDefault ? 1 : 0)
            .With("$topUp", topUpUrl).With("$mcpFilter", mcpFilterTools ? 1 : 0).Execute();
    }

    /// <summary>Sets the site's x402 terms, or removes them when <paramref name="x402"/> is null.</summary>
    public static void ReplaceX402(Change change, string siteId, X402Settings? x402)
    {
        change.Command("DELETE FROM site_x402 WHERE site_id = $site").With("$site", siteId).Execute();
        if (x402 is null)
        {
            return;
        }

        change.Command("""
            INSERT INTO site_x402 (site_id, facilitator_url, network, asset, pay_to, asset_name, asset_version, asset_decimals, currency, max_timeout_seconds)
            VALUES ($site, $facilitator, $network, $asset, $payTo, $assetName, $assetVersion, $decimals, $currency, $timeout)
            """).With("$site", siteId).With("$facilitator", x402.FacilitatorUrl).With("$network", x402.Network).With("$asset", x402.Asset)
            .With("$payTo", x402.PayTo).With("$assetName", x402.AssetName).With("$assetVersion", x402.AssetVersion)
            .With("$decimals", x402.AssetDecimals).With("$currency", x402.Currency).With("$timeout", x402.MaxTimeoutSeconds).Execute();
    }

    /// <summary>Every site's x402 terms (or the one with <paramref name="onlyId"/>), by site id.</summary>
    public static Dictionary<string, X402Settings> X402Terms(SqliteConnection connection, SqliteTransaction? transaction, string? onlyId = null) =>
        connection.Command(transaction, """
            SELECT site_id, facilitator_url, network, asset, pay_to, asset_name, asset_version, asset_decimals, currency, max_timeout_seconds
            FROM site_x402 WHERE $only IS NULL OR site_id = $only
            """).With("$only", onlyId).ReadAll(r => (Site: r.GetString(0), Terms: new X402Settings
        {
            FacilitatorUrl = r.GetString(1),
            Network = r.GetString(2),
            Asset = r.GetString(3),
            PayTo = r.GetString(4),
            AssetName = r.GetString(5),
            AssetVersion = r.GetString(6),
            AssetDecimals = r.GetInt32(7),
            Currency = r.GetString(8),
            MaxTimeoutSeconds = r.GetInt32(9),
        })).ToDictionary(x => x.Site, x => x.Terms, StringComparer.Ordinal);

    public static void ReplaceHosts(Change change, string siteId, IReadOnlyList<string> hosts)
    {
        change.Command("DELETE FROM site_hosts WHERE site_id = $site").With("$site", siteId).Execute();
        for (var i = 0; i < hosts.Count; i++)
        {
            change.Command("INSERT INTO site_hosts (site_id, position, host) VALUES ($site, $position, $host)")
                .With("$site", siteId).With("$position", i).With("$host", hosts[i]).Execute();
        }
    }

    /// <summary><paramref name="kind"/> is <c>header</c> or <c>query</c>.</summary>
    public static void ReplaceInjections(Change change, string siteId, string kind, IReadOnlyList<NameValue> items)
    {
        change.Command("DELETE FROM site_injections WHERE site_id = $site AND kind = $kind").With("$site", siteId).With("$kind", kind).Execute();
        for (var i = 0; i < items.Count; i++)
        {
            change.Command("INSERT INTO site_injections (site_id, kind, position, name, value) VALUES ($site, $kind, $position, $name, $value)")
                .With("$site", siteId).With("$kind", kind).With("$position", i).With("$name", items[i].Name).With("$value", items[i].Value).Execute();
        }
    }

    public static bool Delete(Change change, string id) =>
        change.Command("DELETE FROM sites WHERE id = $id").With("$id", id).Execute() > 0;

    public static SiteResponse? Find(SqliteConnection connection, SqliteTransaction? transaction, string id) =>
        List(connection, transaction, id) is [var site] ? site : null;

    /// <summary>Every site, or the one with <paramref name="onlyId"/>.</summary>
    public static List<SiteResponse> List(SqliteConnection connection, SqliteTransaction? transaction, string? onlyId = null)
    {
        var hosts = connection.Command(transaction, "SELECT site_id, host FROM site_hosts WHERE $only IS NULL OR site_id = $only ORDER BY site_id, position")
            .With("$only", onlyId).ReadAll(r => (Site: r.GetString(0), Host: r.GetString(1)));
        var names = connection.Command(transaction, "SELECT site_id, kind, name FROM site_injections WHERE $only IS NULL OR site_id = $only ORDER BY site_id, kind, position")
            .With("$only", onlyId).ReadAll(r => (Site: r.GetString(0), Kind: r.GetString(1), Name: r.GetString(2)));
        var x402 = X402Terms(connection, transaction, onlyId);
        return connection.Command(transaction, """
            SELECT id, name, slug, origin_url, deny_by_default, created_at_unix, top_up_url, mcp_filter_tools FROM sites
            WHERE $only IS NULL OR id = $only ORDER BY created_at_unix, id
            """).With("$only", onlyId).ReadAll(r =>
        {
            var id = r.GetString(0);
            return new SiteResponse
            {
                Id = id,
                Name = r.GetString(1),
                Slug = r.GetString(2),
                OriginUrl = r.GetString(3),
                DenyByDefault = r.GetInt64(4) != 0,
                CreatedAt = Sql.FromUnix(r.GetInt64(5)),
                TopUpUrl = r.NullableString(6),
                McpFilterTools = r.GetInt64(7) != 0,
                X402 = SiteInput.Body(x402.GetValueOrDefault(id)),
                Hosts = [.. hosts.Where(h => h.Site == id).Select(h => h.Host)],
                StaticHeaders = [.. names.Where(n => n.Site == id && n.Kind == "header").Select(n => n.Name)],
                StaticQuery = [.. names.Where(n => n.Site == id && n.Kind == "query").Select(n => n.Name)],
            };
        });
    }
}
