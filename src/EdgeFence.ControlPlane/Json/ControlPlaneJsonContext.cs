using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeFence.ControlPlane.Edges;
using EdgeFence.ControlPlane.Plans;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Resources;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Stats;
using EdgeFence.ControlPlane.Tokens;
using EdgeFence.ControlPlane.Usage;
using EdgeFence.ControlPlane.UsageEvents;
using EdgeFence.ControlPlane.Wallets;

namespace EdgeFence.ControlPlane.Json;

// Unknown members are errors: a misspelt "denyByDefualt" would otherwise silently leave a site open.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateSiteRequest))]
[JsonSerializable(typeof(UpdateSiteRequest))]
[JsonSerializable(typeof(SiteResponse))]
[JsonSerializable(typeof(CreatedSiteResponse))]
[JsonSerializable(typeof(ItemsResponse<SiteResponse>))]
[JsonSerializable(typeof(PlanRequest))]
[JsonSerializable(typeof(PlanResponse))]
[JsonSerializable(typeof(ItemsResponse<PlanResponse>))]
[JsonSerializable(typeof(MigratePlanRequest))]
[JsonSerializable(typeof(MigratePlanResponse))]
[JsonSerializable(typeof(CreateResourceRequest))]
[JsonSerializable(typeof(OpenAiModelPriceRequest))]
[JsonSerializable(typeof(OpenAiModelPriceResponse))]
[JsonSerializable(typeof(ResourceResponse))]
[JsonSerializable(typeof(ItemsResponse<ResourceResponse>))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(RotateTokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(IssuedTokenResponse))]
[JsonSerializable(typeof(ItemsResponse<TokenResponse>))]
[JsonSerializable(typeof(EdgesResponse))]
[JsonSerializable(typeof(UsageResponse))]
[JsonSerializable(typeof(SiteStatsResponse))]
[JsonSerializable(typeof(RollupBatchRequest))]
[JsonSerializable(typeof(RollupIngestResponse))]
[JsonSerializable(typeof(UsageSeriesResponse))]
[JsonSerializable(typeof(UsageTotalsResponse))]
[JsonSerializable(typeof(TopCustomersResponse))]
[JsonSerializable(typeof(QuotaUtilizationResponse))]
[JsonSerializable(typeof(CustomerUsageResponse))]
[JsonSerializable(typeof(DepositRequest))]
[JsonSerializable(typeof(DepositResponse))]
[JsonSerializable(typeof(UsageEventRequest))]
[JsonSerializable(typeof(UsageEventResponse))]
[JsonSerializable(typeof(BalanceResponse))]
[JsonSerializable(typeof(LedgerResponse))]
[JsonSerializable(typeof(ProblemBody))]
internal sealed partial class ControlPlaneJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the API reads and writes with: the generated one, with an encoder that leaves quotes and
    /// angle brackets readable in messages (<c>'demo'</c>, not <c>\u0027demo\u0027</c>). The HTML-safe default
    /// is for JSON embedded in HTML pages; these bodies are only ever served as JSON.
    /// </summary>
    public static ControlPlaneJsonContext Api { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
