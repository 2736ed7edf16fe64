using System.Security.Cryptography;
using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;

namespace EdgeFence.Edge.Tests.Infrastructure;

/// <summary>The standard test configuration: two sites, plans of every kind, tokens in every state.</summary>
public static class TestSnapshot
{
    public const string SiteHost = "api.test";
    public const string OriginKey = "origin-key-for-demo-site";
    public static readonly byte[] HmacSecret = Encoding.UTF8.GetBytes("test-hmac-secret-of-at-least-32-bytes!!");

    public const string Basic = "tok-basic-0001";          // quota 5 hard, rate 100/60
    public const string Basic2 = "tok-basic-0002";         // second basic token, other customer
    public const string Soft = "tok-soft-0001";            // quota 2 soft
    public const string Rate = "tok-rate-0001";            // rate 3/60, no quota
    public const string Limited = "tok-limited-0001";      // plan covers only the chat resource
    public const string Revoked = "tok-revoked-0001";
    public const string Expired = "tok-expired-0001";
    public const string OtherSite = "tok-other-0001";      // belongs to site "other"
    public const string Unlimited = "tok-unlimited-0001";  // no limits at all

    public static Snapshot Create(string originUrl, long version = 1, Action<List<TokenRecord>>? editTokens = null)
    {
        var tokens = new List<TokenRecord>
        {
            Token("t-basic", "plan-basic", "acme", Basic),
            Token("t-basic2", "plan-basic", "globex", Basic2),
            Token("t-soft", "plan-soft", "initech", Soft),
            Token("t-rate", "plan-rate", "hooli", Rate),
            Token("t-limited", "plan-limited", "umbrella", Limited),
            Token("t-revoked", "plan-basic", "wayne", Revoked, revoked: true),
            Token("t-expired", "plan-basic", "stark", Expired, expiresAt: 1_000_000),
            Token("t-unlimited", "plan-unlimited", "tyrell", Unlimited),
            new TokenRecord { Id = "t-other", SiteId = "other", PlanId = "plan-other", Customer = "oscorp", Hash = TokenHasher.Hash(OtherSite) },
        };
        editTokens?.Invoke(tokens);
        return new Snapshot
        {
            Version = version,
            Sites =
            [
                new Site
                {
                    Id = "demo", Name = "Demo API", Slug = "demo", OriginUrl = originUrl, Hosts = [SiteHost],
                    HmacSecret = HmacSecret, OriginKeyHash = SHA256.HashData(Encoding.UTF8.GetBytes(OriginKey)),
                    StaticHeaders = [new NameValue("X-Origin-Secret", "s3cret")],
                    StaticQuery = [new NameValue("api_key", "origin-private")],
                },
                new Site { Id = "other", Name = "Other API", Slug = "other", OriginUrl = originUrl, HmacSecret = HmacSecret, DenyByDefault = true },
            ],
            Plans =
            [
                new Plan { Id = "plan-basic", SiteId = "demo", Name = "Basic", QuotaUnits = 5, RateLimitRequests = 100, RateLimitWindowSeconds = 60 },
                new Plan { Id = "plan-soft", SiteId = "demo", Name = "Soft", QuotaUnits = 2, QuotaMode = QuotaMode.Soft },
                new Plan { Id = "plan-rate", SiteId = "demo", Name = "Rate", RateLimitRequests = 3, RateLimitWindowSeconds = 60 },
                new Plan { Id = "plan-limited", SiteId = "demo", Name = "Chat only", QuotaUnits = 100, ResourceIds = ["r-chat"] },
                new Plan { Id = "plan-unlimited", SiteId = "demo", Name = "Unlimited" },
                new Plan { Id = "plan-other", SiteId = "other", Name = "Other", QuotaUnits = 100 },
            ],
            Resources =
            [
                new Resource { Id = "r-api", SiteId = "demo", Pattern = "/api/v1/*" },
                new Resource { Id = "r-chat", SiteId = "demo", Pattern = "/v1/chat/completions", Methods = ["POST"], Cost = 2, PrivatePath = "/internal/chat" },
                new Resource { Id = "r-reports", SiteId = "demo", Pattern = "/reports/*", PrivatePath = "/private/reports/*" },
                new Resource { Id = "r-other", SiteId = "other", Pattern = "/paid/*" },
            ],
            Tokens = tokens,
        };
    }

    private static TokenRecord Token(string id, string plan, string customer, string token, bool revoked = false, long expiresAt = 0)
        => new() { Id = id, SiteId = "demo", PlanId = plan, Customer = customer, Hash = TokenHasher.Hash(token), Revoked = revoked, ExpiresAtUnix = expiresAt };
}
