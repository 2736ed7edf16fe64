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

    public static void Insert(Change change, string id, string name, string slug, string originUrl, byte[] hmacSecret, byte[] originKeyHash, bool denyByDefault)
    {
        change.Command("""
            INSERT INTO sites (id, name, slug, origin_url, hmac_secret, origin_key_hash, deny_by_default, created_at_unix)
            VALUES ($id, $name, $slug, $origin, $secret, $originKeyHash, $deny, $now)
            """).With("$id", id).With("$name", name).With("$slug", slug).With("$origin", originUrl).With("$secret", hmacSecret)
            .With("$originKeyHash", originKeyHash).With("$deny", denyByDefault ? 1 : 0).With("$now", change.NowUnix).Execute();
    }

    public static void Update(Change change, string id, string name, string slug, string originUrl, bool denyByDefault)
    {
        change.Command("UPDATE sites SET name = $name, slug = $slug, origin_url = $origin, deny_by_default = $deny WHERE id = $id")
            .With("$id", id).With("$name", name).With("$slug", slug).With("$origin", originUrl).With("$deny", denyByDefault ? 1 : 0).Execute();
    }

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
        return connection.Command(transaction, """
            SELECT id, name, slug, origin_url, deny_by_default, created_at_unix FROM sites
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
                Hosts = [.. hosts.Where(h => h.Site == id).Select(h => h.Host)],
                StaticHeaders = [.. names.Where(n => n.Site == id && n.Kind == "header").Select(n => n.Name)],
                StaticQuery = [.. names.Where(n => n.Site == id && n.Kind == "query").Select(n => n.Name)],
            };
        });
    }
}
