using EdgeFence.Edge.Payments.X402;

namespace EdgeFence.Edge.Tests.Payments.X402;

public sealed class X402TermsTests
{
    [Fact]
    public void The_amount_is_the_price_in_atomic_units_of_the_asset()
    {
        Assert.Equal("10000", PaymentFixture.Terms().Amount);
        var eighteen = PaymentFixture.Settings();
        var terms = X402Terms.Create(new() { FacilitatorUrl = eighteen.FacilitatorUrl, Network = eighteen.Network, Asset = eighteen.Asset, PayTo = eighteen.PayTo, AssetName = "T", AssetVersion = "1", AssetDecimals = 18 }, 10_000, "USD", "d");
        Assert.Equal("10000000000000000", terms!.Amount);
    }

    [Theory]
    [InlineData(0, "USD")]
    [InlineData(-5, "USD")]
    [InlineData(10_000, "EUR")]
    public void A_price_x402_cannot_pay_exactly_gives_no_terms(long micros, string currency)
        => Assert.Null(X402Terms.Create(PaymentFixture.Settings(), micros, currency, "d"));

    [Fact]
    public void Facilitator_urls_keep_the_base_path()
    {
        var terms = PaymentFixture.Terms("https://facilitator.example/x402");

        Assert.Equal("https://facilitator.example/x402/verify", terms.VerifyUrl.AbsoluteUri);
        Assert.Equal("https://facilitator.example/x402/settle", terms.SettleUrl.AbsoluteUri);
    }

    [Theory]
    [InlineData("eip155:8453", "base")]
    [InlineData("eip155:84532", "base-sepolia")]
    [InlineData("eip155:31337", null)]
    [InlineData("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", null)]
    public void V1_names_exist_only_for_the_chains_v1_knows(string caip2, string? v1)
        => Assert.Equal(v1, X402Networks.ToV1Name(caip2));
}
