using System.Security.Cryptography;
using System.Text;
using EdgeFence.Core.Model;

namespace EdgeFence.Core.Tests.Serialization;

/// <summary>Snapshots for the serializer tests.</summary>
internal static class SnapshotSamples
{
    /// <summary>Every field set, and set away from its default.</summary>
    public static Snapshot EveryFieldSet() => new()
    {
        Version = 42,
        CreatedAtUnixMs = 1_763_000_000_123,
        Sites =
        [
            new Site
            {
                Id = "site-1",
                Name = "Weather API ☀",
                Slug = "weather",
                OriginUrl = "https://origin.internal:8443/base",
                Hosts = ["api.weather.example", "weather.example"],
                HmacSecret = Encoding.UTF8.GetBytes("hmac-secret"),
                OriginKeyHash = SHA256.HashData("origin-key"u8),
                StaticHeaders = [new NameValue("X-Origin-Key", "k1"), new NameValue("X-Tenant", "t")],
                StaticQuery = [new NameValue("api_key", "q1")],
                DenyByDefault = true,
                TopUpUrl = "https://pay.weather.example/top-up?customer={customer}",
                X402 = new X402Settings
                {
                    FacilitatorUrl = "https://facilitator.example/x402",
                    Network = "eip155:8453",
                    Asset = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
                    PayTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
                    AssetName = "USD Coin",
                    AssetVersion = "2",
                    AssetDecimals = 6,
                    Currency = "USD",
                    MaxTimeoutSeconds = 90,
                },
            },
        ],
        Plans =
        [
            new Plan
            {
                Id = "plan-pro",
                SiteId = "site-1",
                Name = "Pro",
                QuotaUnits = 5_000_000_000,
                QuotaPeriod = QuotaPeriod.Week,
                QuotaMode = QuotaMode.Soft,
                RateLimitRequests = 100,
                RateLimitWindowSeconds = 10,
                PriceMicros = 49_000_000,
                Currency = "EUR",
                ResourceIds = ["res-1", "res-2"],
                Billing = PlanBilling.Prepaid,
                ResourcePrices = [new ResourcePrice("res-1", 1_500)],
            },
        ],
        Resources =
        [
            new Resource
            {
                Id = "res-1",
                SiteId = "site-1",
                Pattern = "/v1/forecast/*",
                Methods = ["GET", "POST"],
                Cost = 3,
                PrivatePath = "/internal/forecast/*",
                PriceMicros = 2_500,
                Currency = "EUR",
                Payment = ResourcePayment.TokenOrX402,
            },
            new Resource { Id = "res-2", SiteId = "site-1", Pattern = "/mcp", Cost = 4, PriceMicros = 10_000, Kind = ResourceKind.Mcp, McpTool = "search_docs" },
        ],
        Tokens =
        [
            new TokenRecord
            {
                Id = "tok-1",
                SiteId = "site-1",
                PlanId = "plan-pro",
                Customer = "cus_123",
                Hash = SHA256.HashData("sk_live_1"u8),
                ExpiresAtUnix = 1_900_000_000,
                Revoked = true,
                Suspended = true,
            },
        ],
    };

    /// <summary>Only the required members set; everything else at its default.</summary>
    public static Snapshot Defaults() => new()
    {
        Version = 1,
        Sites = [new Site { Id = "s", Name = "n", Slug = "s", OriginUrl = "http://o", HmacSecret = [] }],
        Plans = [new Plan { Id = "p", SiteId = "s", Name = "Free" }],
        Resources = [new Resource { Id = "r", SiteId = "s", Pattern = "/*" }],
        Tokens = [new TokenRecord { Id = "t", SiteId = "s", PlanId = "p", Customer = "c", Hash = new byte[32] }],
    };

    public static Snapshot WithTokens(int count)
    {
        var tokens = new TokenRecord[count];
        Span<byte> token = stackalloc byte[16];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(token, i);
            tokens[i] = new TokenRecord
            {
                Id = "tok_" + i,
                SiteId = "site-1",
                PlanId = "plan-pro",
                Customer = "cus_" + (i / 3),
                Hash = SHA256.HashData(token),
                ExpiresAtUnix = i % 2 == 0 ? 0 : 1_900_000_000,
            };
        }

        Snapshot sample = EveryFieldSet();
        return new Snapshot
        {
            Version = sample.Version,
            Sites = sample.Sites,
            Plans = sample.Plans,
            Resources = sample.Resources,
            Tokens = tokens,
        };
    }
}
