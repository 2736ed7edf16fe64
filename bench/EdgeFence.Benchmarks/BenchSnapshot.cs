using EdgeFence.Core.Model;
using EdgeFence.Core.Security;

namespace EdgeFence.Benchmarks;

/// <summary>A site with <c>tokens</c> tokens on two plans: one unlimited (allowed), one exhausted (denied).</summary>
public static class BenchSnapshot
{
    public const string AllowedToken = "bench-token-000000000";
    public const string DeniedToken = "bench-denied-token";

    public static string TokenAt(int i) => "bench-token-" + i.ToString("D9", System.Globalization.CultureInfo.InvariantCulture);

    public static Snapshot Create(int tokens)
    {
        var records = new TokenRecord[tokens + 1];
        for (var i = 0; i < tokens; i++)
        {
            records[i] = new TokenRecord { Id = "t" + i, SiteId = "bench", PlanId = "open", Customer = "customer-" + (i % 1000), Hash = TokenHasher.Hash(TokenAt(i)) };
        }

        records[tokens] = new TokenRecord { Id = "t-denied", SiteId = "bench", PlanId = "zero", Customer = "denied", Hash = TokenHasher.Hash(DeniedToken) };
        return new Snapshot
        {
            Version = 1,
            Sites = [new Site { Id = "bench", Name = "Bench", Slug = "bench", OriginUrl = "http://127.0.0.1:1", Hosts = ["bench.test"], HmacSecret = new byte[32] }],
            Plans =
            [
                new Plan { Id = "open", SiteId = "bench", Name = "Open", QuotaUnits = long.MaxValue / 2, RateLimitRequests = int.MaxValue, RateLimitWindowSeconds = 60 },
                new Plan { Id = "zero", SiteId = "bench", Name = "Zero", QuotaUnits = 0 },
            ],
            Resources = [new Resource { Id = "api", SiteId = "bench", Pattern = "/api/v1/*" }],
            Tokens = records,
        };
    }
}
