using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Model;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Resources;

/// <summary>
/// The SQL of resources. Methods are stored space-separated: they are validated HTTP method tokens, which hold no space.
/// An OpenAI resource's model prices are rows of <c>resource_model_prices</c>, deleted with it.
/// </summary>
internal static class ResourceRows
{
    private const string Select = "SELECT id, site_id, pattern, methods, cost, private_path, created_at_unix, price_micros, currency, payment, kind, mcp_tool, openai_default_max_tokens, openai_user_header, openai_balance_as_message, openai_origin_usage_header FROM resources";

    public static void Insert(Change change, string id, string siteId, string pattern, IReadOnlyList<string> methods, long cost, string? privatePath, ResourcePriceTerms price, ResourceKind kind = ResourceKind.Http, string? mcpTool = null, OpenAiTerms? openAi = null)
    {
        openAi ??= OpenAiTerms.None;
        change.Command("""
            INSERT INTO resources (id, site_id, pattern, methods, cost, private_path, price_micros, currency, payment, kind, mcp_tool,
                openai_default_max_tokens, openai_user_header, openai_balance_as_message, openai_origin_usage_header, created_at_unix)
            VALUES ($id, $site, $pattern, $methods, $cost, $private, $price, $currency, $payment, $kind, $tool, $maxTokens, $userHeader, $asMessage, $usageHeader, $now)
            """).With("$id", id).With("$site", siteId).With("$pattern", pattern).With("$methods", string.Join(' ', methods))
            .With("$cost", cost).With("$private", privatePath).With("$price", price.PriceMicros).With("$currency", price.Currency)
            .With("$payment", (int)price.Payment).With("$kind", (int)kind).With("$tool", mcpTool)
            .With("$maxTokens", openAi.DefaultMaxTokens).With("$userHeader", openAi.UserHeader).With("$asMessage", openAi.BalanceAsMessage ? 1 : 0).With("$usageHeader", openAi.OriginUsageHeader)
            .With("$now", change.NowUnix).Execute();
        foreach (var model in openAi.Prices)
        {
            change.Command("INSERT INTO resource_model_prices (resource_id, model, input_micros_per_1k, output_micros_per_1k) VALUES ($id, $model, $input, $output)")
                .With("$id", id).With("$model", model.Model).With("$input", model.InputMicrosPer1K).With("$output", model.OutputMicrosPer1K).Execute();
        }
    }

    public static bool Delete(Change change, string id) =>
        change.Command("DELETE FROM resources WHERE id = $id").With("$id", id).Execute() > 0;

    public static ResourceResponse? Find(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        var prices = ModelPrices(connection, transaction, " WHERE resource_id = $id", id);
        return connection.Command(transaction, Select + " WHERE id = $id").With("$id", id).ReadOne(r => Read(r, prices));
    }

    public static List<ResourceResponse> ListForSite(SqliteConnection connection, SqliteTransaction? transaction, string siteId)
    {
        var prices = ModelPrices(connection, transaction, " WHERE resource_id IN (SELECT id FROM resources WHERE site_id = $id)", siteId);
        return connection.Command(transaction, Select + " WHERE site_id = $site ORDER BY created_at_unix, id").With("$site", siteId).ReadAll(r => Read(r, prices));
    }

    /// <summary>Every resource's model prices, by resource id, in model order: what the snapshot carries.</summary>
    public static Dictionary<string, List<OpenAiModelPrice>> AllModelPrices(Change change)
    {
        var result = new Dictionary<string, List<OpenAiModelPrice>>(StringComparer.Ordinal);
        var rows = change.Command("SELECT resource_id, model, input_micros_per_1k, output_micros_per_1k FROM resource_model_prices ORDER BY resource_id, model")
            .ReadAll(r => (Id: r.GetString(0), Price: new OpenAiModelPrice(r.GetString(1), r.GetInt64(2), r.GetInt64(3))));
        foreach (var (id, price) in rows)
        {
            if (!result.TryGetValue(id, out var list))
            {
                result[id] = list = [];
            }

            list.Add(price);
        }

        return result;
    }

    private static Dictionary<string, List<OpenAiModelPriceResponse>> ModelPrices(SqliteConnection connection, SqliteTransaction? transaction, string where, string id)
    {
        var result = new Dictionary<string, List<OpenAiModelPriceResponse>>(StringComparer.Ordinal);
        var rows = connection.Command(transaction, "SELECT resource_id, model, input_micros_per_1k, output_micros_per_1k FROM resource_model_prices" + where + " ORDER BY resource_id, model")
            .With("$id", id)
            .ReadAll(r => (Id: r.GetString(0), Price: new OpenAiModelPriceResponse { Model = r.GetString(1), InputPer1K = PriceInput.Units(r.GetInt64(2)), OutputPer1K = PriceInput.Units(r.GetInt64(3)) }));
        foreach (var (resourceId, price) in rows)
        {
            if (!result.TryGetValue(resourceId, out var list))
            {
                result[resourceId] = list = [];
            }

            list.Add(price);
        }

        return result;
    }

    private static ResourceResponse Read(SqliteDataReader r, Dictionary<string, List<OpenAiModelPriceResponse>> prices)
    {
        var id = r.GetString(0);
        var kind = (ResourceKind)r.GetInt64(10);
        var maxTokens = r.GetInt64(12);
        return new()
        {
            Id = id,
            SiteId = r.GetString(1),
            Pattern = r.GetString(2),
            Methods = r.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Cost = r.GetInt64(4),
            PrivatePath = r.NullableString(5),
            CreatedAt = Sql.FromUnix(r.GetInt64(6)),
            Price = PriceInput.Units(r.GetInt64(7)),
            Currency = r.GetString(8),
            Payment = ResourceInput.PaymentName((ResourcePayment)r.GetInt64(9)),
            Kind = ResourceInput.KindName(kind),
            McpTool = r.NullableString(11),
            OpenAiPrices = prices.GetValueOrDefault(id) ?? [],
            OpenAiDefaultMaxTokens = kind == ResourceKind.OpenAi && maxTokens > 0 ? (int)maxTokens : null,
            OpenAiUserHeader = r.NullableString(13),
            OpenAiBalanceAsMessage = r.GetInt64(14) != 0,
            OpenAiOriginUsageHeader = r.NullableString(15),
        };
    }
}
