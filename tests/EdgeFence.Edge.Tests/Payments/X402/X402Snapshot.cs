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
        ModelStandIns.Sites["demo"] = new X402Settings
        {
            FacilitatorUrl = facilitatorUrl, Network = PaymentFixture.Network, Asset = PaymentFixture.Asset, PayTo = PaymentFixture.PayTo,
            AssetName = "USDC", AssetVersion = "2", AssetDecimals = 6, Currency = "USD", MaxTimeoutSeconds = 60,
        };
        ModelStandIns.Resources["r-x402"] = (ResourcePayment.X402, PriceMicros, "USD");
        ModelStandIns.Resources["r-either"] = (ResourcePayment.TokenOrX402, PriceMicros, "USD");
        return new Snapshot
        {
            Version = standard.Version,
            Sites = standard.Sites,
            Plans = standard.Plans,
            Resources =
            [
                .. standard.Resources,
                new Resource { Id = "r-x402", SiteId = "demo", Pattern = "/x402/*" },
                new Resource { Id = "r-either", SiteId = "demo", Pattern = "/either/*" },
            ],
            Tokens = standard.Tokens,
        };
    }
}
