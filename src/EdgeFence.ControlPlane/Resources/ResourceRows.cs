using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Model;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Resources;

/// <summary>The SQL of resources. Methods are stored space-separated: they are validated HTTP method tokens, which hold no space.</summary>
internal static class ResourceRows
{
    private const string Select = "SELECT id, site_id, pattern, methods, cost, private_path, created_at_unix, price_micros, currency, payment, kind, mcp_tool FROM resources";

    public static void Insert(Change change, string id, string siteId, string pattern, IReadOnlyList<string> methods, long cost, string? privatePath, ResourcePriceTerms price, ResourceKind kind = ResourceKind.Http, string? mcpTool = null)
    {
        change.Command("""
            INSERT INTO resources (id, site_id, pattern, methods, cost, private_path, price_micros, currency, payment, kind, mcp_tool, created_at_unix)
            VALUES ($id, $site, $pattern, $methods, $cost, $private, $price, $currency, $payment, $kind, $tool, $now)
            """).With("$id", id).With("$site", siteId).With("$pattern", pattern).With("$methods", string.Join(' ', methods))
            .With("$cost", cost).With("$private", privatePath).With("$price", price.PriceMicros).With("$currency", price.Currency)
            .With("$payment", (int)price.Payment).With("$kind", (int)kind).With("$tool", mcpTool).With("$now", change.NowUnix).Execute();
    }

    public static bool Delete(Change change, string id) =>
        change.Command("DELETE FROM resources WHERE id = $id").With("$id", id).Execute() > 0;

    public static ResourceResponse? Find(SqliteConnection connection, SqliteTransaction? transaction, string id) =>
        connection.Command(transaction, Select + " WHERE id = $id").With("$id", id).ReadOne(Read);

    public static List<ResourceResponse> ListForSite(SqliteConnection connection, SqliteTransaction? transaction, string siteId) =>
        connection.Command(transaction, Select + " WHERE site_id = $site ORDER BY created_at_unix, id").With("$site", siteId).ReadAll(Read);

    private static ResourceResponse Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        SiteId = r.GetString(1),
        Pattern = r.GetString(2),
        Methods = r.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Cost = r.GetInt64(4),
        PrivatePath = r.NullableString(5),
        CreatedAt = Sql.FromUnix(r.GetInt64(6)),
        Price = PriceInput.Units(r.GetInt64(7)),
        Currency = r.GetString(8),
        Payment = ResourceInput.PaymentName((ResourcePayment)r.GetInt64(9)),
        Kind = ResourceInput.KindName((ResourceKind)r.GetInt64(10)),
        McpTool = r.NullableString(11),
    };
}
