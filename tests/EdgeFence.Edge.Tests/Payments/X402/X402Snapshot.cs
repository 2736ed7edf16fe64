using EdgeFence.Core.Model;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Payments.X402;

/// <summary>The standard test snapshot plus x402 on the demo site: <c>/x402/*</c> paid only by x402, <c>/either/*</c> by token or x402.</summary>
internal static class X402Snapshot
{
    public const long PriceMicros = 10_000;

    public static Snapshot Create(string originUrl, string facilitatorUrl)
    {
        var standard = TestSnapshot.Create(originUrl);
        return new Snapshot
        {
            Version = standard.Version,
            Sites =
            [
                .. standard.Sites.Select(site => site.Id != "demo" ? site : new Site
                {
                    Id = site.Id, Name = site.Name, Slug = site.Slug, OriginUrl = site.OriginUrl, Hosts = site.Hosts, HmacSecret = site.HmacSecret,
                    OriginKeyHash = site.OriginKeyHash, StaticHeaders = site.StaticHeaders, StaticQuery = site.StaticQuery,
                    X402 = PaymentFixture.Settings(facilitatorUrl),
                }),
            ],
            Plans = standard.Plans,
            Resources =
            [
                .. standard.Resources,
                new Resource { Id = "r-x402", SiteId = "demo", Pattern = "/x402/*", PriceMicros = PriceMicros, Payment = ResourcePayment.X402 },
                new Resource { Id = "r-either", SiteId = "demo", Pattern = "/either/*", PriceMicros = PriceMicros, Payment = ResourcePayment.TokenOrX402 },
            ],
            Tokens = standard.Tokens,
        };
    }
}
