using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.OpenAi;

/// <summary>A site whose <c>/v1/chat/completions</c> is OpenAI-compatible, one prepaid plan in USD and its token.</summary>
public static class OpenAiSnapshot
{
    public const string Token = "tok-openai-0001";
    public const string Customer = "chat co";
    public const string Model = "gpt-4o-mini";
    public const long InputPer1K = 2_000;
    public const long OutputPer1K = 8_000;
    public const int DefaultMaxTokens = 64;
    public const string TopUp = "https://pay.example/top-up?customer={customer}";

    /// <summary>The site; <paramref name="quota"/> and <paramref name="ratePerMinute"/> put a hard quota (in units, a call is one) or a rate limit on the plan.</summary>
    public static Snapshot Create(string originUrl, long? quota = null, int? ratePerMinute = null, string? userHeader = null, string? originUsageHeader = null, bool prepaid = true) => new()
    {
        Version = 1,
        Sites = [new Site { Id = "demo", Name = "Models", Slug = "demo", OriginUrl = originUrl, Hosts = [TestSnapshot.SiteHost], HmacSecret = TestSnapshot.HmacSecret, TopUpUrl = TopUp }],
        Resources =
        [
            new Resource
            {
                Id = "r-chat", SiteId = "demo", Pattern = "/v1/chat/completions", Methods = ["POST"], Kind = ResourceKind.OpenAi, Currency = "USD",
                OpenAiPrices = [new OpenAiModelPrice(Model, InputPer1K, OutputPer1K)], OpenAiDefaultMaxTokens = DefaultMaxTokens,
                OpenAiUserHeader = userHeader,
                OpenAiOriginUsageHeader = originUsageHeader,
            },
        ],
        Plans = [new Plan { Id = "plan-prepaid", SiteId = "demo", Name = "Prepaid", Billing = prepaid ? PlanBilling.Prepaid : PlanBilling.Subscription, Currency = "USD", QuotaUnits = quota, RateLimitRequests = ratePerMinute, RateLimitWindowSeconds = 60 }],
        Tokens = [new TokenRecord { Id = "t-chat", SiteId = "demo", PlanId = "plan-prepaid", Customer = Customer, Hash = TokenHasher.Hash(Token) }],
    };

    public static WalletBook Book(long version, long creditedMicros) => new() { Version = version, Wallets = [new WalletRecord("demo", Customer, "USD", creditedMicros)] };

    /// <summary>A book crediting end users of the token: each balance is the customer <c>chat co:&lt;user&gt;</c>.</summary>
    public static WalletBook UserBook(long version, params (string User, long CreditedMicros)[] users)
        => new() { Version = version, Wallets = [.. users.Select(u => new WalletRecord("demo", Customer + ":" + u.User, "USD", u.CreditedMicros))] };
}
