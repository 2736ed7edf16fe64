using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Payments;

/// <summary>The standard test snapshot plus a prepaid plan, priced resources and a top-up link; and wallet books to push.</summary>
internal static class PrepaidSnapshot
{
    public const string Token = "tok-prepaid-0001";
    public const string Customer = "prepaid co";
    public const long Price = 2_500;
    public const long ChatPrice = 40_000;
    public const string TopUp = "https://pay.example/top-up?customer={customer}";

    public static Snapshot Create(string originUrl, long quota = 1_000)
    {
        var baseline = TestSnapshot.Create(originUrl, 1, tokens => tokens.Add(new TokenRecord
        {
            Id = "t-prepaid", SiteId = "demo", PlanId = "plan-prepaid", Customer = Customer, Hash = TokenHasher.Hash(Token),
        }));
        var demo = baseline.Sites[0];
        return new Snapshot
        {
            Version = 1,
            Sites =
            [
                new Site
                {
                    Id = demo.Id, Name = demo.Name, Slug = demo.Slug, OriginUrl = demo.OriginUrl, Hosts = demo.Hosts, HmacSecret = demo.HmacSecret,
                    OriginKeyHash = demo.OriginKeyHash, StaticHeaders = demo.StaticHeaders, StaticQuery = demo.StaticQuery, TopUpUrl = TopUp,
                },
                .. baseline.Sites.Skip(1),
            ],
            Plans =
            [
                .. baseline.Plans,
                new Plan
                {
                    Id = "plan-prepaid", SiteId = "demo", Name = "Prepaid", QuotaUnits = quota, Billing = PlanBilling.Prepaid, Currency = "USD",
                    ResourcePrices = [new ResourcePrice("r-chat", ChatPrice)],
                },
            ],
            Resources =
            [
                .. baseline.Resources.Select(r => r.Id == "r-api"
                    ? new Resource { Id = r.Id, SiteId = r.SiteId, Pattern = r.Pattern, Methods = r.Methods, Cost = r.Cost, PrivatePath = r.PrivatePath, PriceMicros = Price, Currency = "USD" }
                    : r),
            ],
            Tokens = baseline.Tokens,
        };
    }

    public static WalletBook Book(long version, long creditedMicros, string customer = Customer)
        => new() { Version = version, Wallets = [new WalletRecord("demo", customer, "USD", creditedMicros)] };

    public static Task<HttpResponseMessage> PushAsync(EdgeHost edge, WalletBook book, bool sign = true)
    {
        var bytes = SnapshotSerializer.Serialize(book);
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/wallets") { Content = new ByteArrayContent(bytes) };
        if (sign)
        {
            request.Headers.TryAddWithoutValidation(SnapshotSigner.HeaderName, Convert.ToBase64String(edge.Sign(bytes)));
        }

        return edge.Admin.SendAsync(request);
    }
}
