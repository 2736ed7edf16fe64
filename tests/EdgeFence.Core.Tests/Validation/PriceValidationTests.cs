using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Validation;

namespace EdgeFence.Core.Tests.Validation;

/// <summary>Prices, currencies, prepaid plans, x402 terms and wallet books, validated whole like the rest of a snapshot.</summary>
public sealed class PriceValidationTests
{
    private static readonly X402Settings Terms = new()
    {
        FacilitatorUrl = "http://127.0.0.1:4020",
        Network = "eip155:31337",
        Asset = "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        PayTo = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        AssetName = "Test USD",
        AssetVersion = "1",
        AssetDecimals = 6,
        Currency = "USD",
        MaxTimeoutSeconds = 60,
    };

    private static Snapshot Build(Action<Site>? site = null, Func<Resource, Resource>? resource = null, Func<Plan, Plan>? plan = null, X402Settings? x402 = null, string? topUp = null)
    {
        var s = new Site
        {
            Id = "s", Name = "S", Slug = "s", OriginUrl = "http://127.0.0.1:5080", HmacSecret = Encoding.UTF8.GetBytes(new string('k', 32)),
            X402 = x402, TopUpUrl = topUp,
        };
        site?.Invoke(s);
        var r = new Resource { Id = "r", SiteId = "s", Pattern = "/api/*", PriceMicros = 2_500, Currency = "USD" };
        var p = new Plan { Id = "p", SiteId = "s", Name = "P", Billing = PlanBilling.Prepaid, Currency = "USD" };
        return new Snapshot
        {
            Version = 1,
            Sites = [s],
            Resources = [resource is null ? r : resource(r)],
            Plans = [plan is null ? p : plan(p)],
            Tokens = [new TokenRecord { Id = "t", SiteId = "s", PlanId = "p", Customer = "c", Hash = TokenHasher.Hash("tok") }],
        };
    }

    private static Resource Priced(Resource r, long price, string currency = "USD", ResourcePayment payment = ResourcePayment.Token)
        => new() { Id = r.Id, SiteId = r.SiteId, Pattern = r.Pattern, PriceMicros = price, Currency = currency, Payment = payment };

    [Fact]
    public void A_prepaid_plan_with_priced_resources_and_x402_terms_is_valid()
    {
        Assert.Empty(SnapshotValidator.Validate(Build(x402: Terms, topUp: "https://pay.example/top-up?c={customer}", resource: r => Priced(r, 10_000, payment: ResourcePayment.TokenOrX402))));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(Currency.MaxAmountMicros + 1)]
    public void A_price_out_of_range_is_refused(long price)
    {
        Assert.Contains("resources[0].priceMicros: must be between 0 and 10^15 micro-units", SnapshotValidator.Validate(Build(resource: r => Priced(r, price))));
    }

    [Theory]
    [InlineData("usd")]
    [InlineData("XYZ")]
    [InlineData("")]
    public void An_unknown_currency_is_refused(string currency)
    {
        Assert.Contains("resources[0].currency: must be an upper-case ISO 4217 code (or USDC)", SnapshotValidator.Validate(Build(resource: r => Priced(r, 1, currency))));
    }

    [Fact]
    public void A_prepaid_plan_cannot_debit_a_resource_priced_in_another_currency()
    {
        var errors = SnapshotValidator.Validate(Build(resource: r => Priced(r, 100, "EUR")));
        Assert.Equal(["plans[0].currency: the prepaid plan debits USD, resource 'r' is priced in EUR"], errors);
    }

    [Fact]
    public void A_plan_price_for_an_unknown_or_repeated_resource_is_refused()
    {
        var errors = SnapshotValidator.Validate(Build(plan: p => new Plan { Id = p.Id, SiteId = p.SiteId, Name = p.Name, ResourcePrices = [new("r", 1), new("r", 2), new("nope", 3), new("r", -4)] }));
        Assert.Contains("plans[0].resourcePrices[1].resourceId: duplicate 'r'", errors);
        Assert.Contains("plans[0].resourcePrices[2].resourceId: unknown resource 'nope' of the plan's site", errors);
        Assert.Contains("plans[0].resourcePrices[3].priceMicros: must be between 0 and 10^15 micro-units", errors);
    }

    [Fact]
    public void X402_payment_needs_the_site_terms()
    {
        Assert.Equal(["resources[0].payment: x402 needs the site's x402 settings"], SnapshotValidator.Validate(Build(resource: r => Priced(r, 10_000, payment: ResourcePayment.X402))));
    }

    [Theory]
    [InlineData(0L, 6)]
    [InlineData(1L, 2)] // 10^-6 of a dollar is less than the asset's smallest unit (10^-2)
    public void X402_needs_a_price_that_converts_exactly_to_the_asset(long price, int decimals)
    {
        var terms = new X402Settings { FacilitatorUrl = Terms.FacilitatorUrl, Network = Terms.Network, Asset = Terms.Asset, PayTo = Terms.PayTo, AssetName = "T", AssetVersion = "1", AssetDecimals = decimals };
        var errors = SnapshotValidator.Validate(Build(x402: terms, resource: r => Priced(r, price, payment: ResourcePayment.X402)));
        Assert.Single(errors);
        Assert.StartsWith("resources[0].priceMicros: x402 needs a positive price", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_x402_terms_are_refused_field_by_field()
    {
        var bad = new X402Settings { FacilitatorUrl = "ftp://x", Network = "base", Asset = "0x12", PayTo = "nope", AssetName = "", AssetVersion = "\n", AssetDecimals = 19, Currency = "DOGE", MaxTimeoutSeconds = 0 };
        var errors = SnapshotValidator.Validate(Build(x402: bad));
        foreach (var field in new[] { "facilitatorUrl", "network", "asset", "payTo", "assetName", "assetVersion", "assetDecimals", "currency", "maxTimeoutSeconds" })
        {
            Assert.Contains(errors, e => e.StartsWith("sites[0].x402." + field + ":", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://pay.example/top up")]
    public void A_top_up_url_must_be_an_http_url(string url)
    {
        var errors = SnapshotValidator.Validate(Build(topUp: url));
        Assert.Single(errors);
        Assert.StartsWith("sites[0].topUpUrl:", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Amount_conversion_is_exact()
    {
        Assert.True(Terms.TryGetAtomicAmount(10_000, out var amount));
        Assert.Equal((UInt128)10_000, amount);
        var eighteen = new X402Settings { FacilitatorUrl = "", Network = "", Asset = "", PayTo = "", AssetName = "", AssetVersion = "", AssetDecimals = 18 };
        Assert.True(eighteen.TryGetAtomicAmount(Currency.MaxAmountMicros, out amount));
        Assert.Equal(UInt128.Parse("1000000000000000000000000000", System.Globalization.CultureInfo.InvariantCulture), amount);
    }

    [Fact]
    public void A_wallet_book_is_checked_whole()
    {
        var book = new WalletBook
        {
            Version = 0,
            Wallets = [new("s", "c", "USD", 5), new("s", "c", "USD", 6), new("s", "", "EUR", -1), new("s b", "d", "ZZZ", 0)],
        };

        var errors = SnapshotValidator.Validate(book);

        Assert.Contains("version: must be positive", errors);
        Assert.Contains("wallets[1]: duplicate wallet of customer 'c' in USD", errors);
        Assert.Contains("wallets[2].customer: must be 1-256 characters", errors);
        Assert.Contains("wallets[2].creditedMicros: must not be negative", errors);
        Assert.Contains(errors, e => e.StartsWith("wallets[3].siteId:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wallets[3].currency:", StringComparison.Ordinal));
    }
}
