using EdgeFence.Edge.Payments.X402;

namespace EdgeFence.Edge.Tests.Payments.X402;

public sealed class X402TermsTests
{
    [Theory]
    [InlineData(10_000, 6, "10000")]
    [InlineData(1, 6, "1")]
    [InlineData(10_000, 18, "10000000000000000")]
    [InlineData(1_500_000, 2, "150")]
    public void The_atomic_amount_is_the_price_scaled_to_the_asset_decimals(long micros, int decimals, string expected)
        => Assert.Equal(expected, X402Terms.AtomicAmount(micros, decimals));

    [Theory]
    [InlineData(1, 2)] // a millionth of a dollar is below one cent
    [InlineData(0, 6)]
    [InlineData(-5, 6)]
    public void A_price_that_is_not_a_whole_positive_number_of_atomic_units_is_refused(long micros, int decimals)
    {
        Assert.Null(X402Terms.AtomicAmount(micros, decimals));
        Assert.Throws<ArgumentException>(() => new X402Terms(new Uri("http://127.0.0.1/"), "eip155:1", PaymentFixture.Asset, PaymentFixture.PayTo, "USDC", "2", decimals, micros, "USD", 60, "d"));
    }

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
