using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Core.Validation;

namespace EdgeFence.Core.Tests.Validation;

/// <summary>OpenAI-compatible resources: per-model prices within bounds, settings only on kind openai, the snapshot round trip.</summary>
public sealed class OpenAiValidationTests
{
    private static Snapshot Build(params Resource[] resources) => new()
    {
        Version = 1,
        Sites = [new Site { Id = "s", Name = "S", Slug = "s", OriginUrl = "http://127.0.0.1:5080", HmacSecret = Encoding.UTF8.GetBytes(new string('k', 32)) }],
        Resources = resources,
        Plans = [new Plan { Id = "p", SiteId = "s", Name = "P", ResourceIds = [.. resources.Select(r => r.Id)] }],
        Tokens = [new TokenRecord { Id = "t", SiteId = "s", PlanId = "p", Customer = "c", Hash = TokenHasher.Hash("tok") }],
    };

    private static Resource Chat(params OpenAiModelPrice[] prices) => new()
    {
        Id = "chat", SiteId = "s", Pattern = "/v1/chat/completions", Kind = ResourceKind.OpenAi, OpenAiPrices = prices,
        OpenAiDefaultMaxTokens = 512, OpenAiUserHeader = "X-App-User", OpenAiBalanceAsMessage = true,
        OpenAiOriginUsageHeader = "X-Origin-Usage",
    };

    [Fact]
    public void An_openai_resource_with_prices_is_valid_and_survives_a_snapshot_round_trip()
    {
        var snapshot = Build(Chat(new OpenAiModelPrice("gpt-4o-mini", 150, 600), new OpenAiModelPrice("llama-3.1-8b", 0, 20)));
        Assert.Empty(SnapshotValidator.Validate(snapshot));

        var copy = Assert.Single(SnapshotSerializer.Deserialize(SnapshotSerializer.Serialize(snapshot)).Resources);
        Assert.Equal(ResourceKind.OpenAi, copy.Kind);
        Assert.Equal([new OpenAiModelPrice("gpt-4o-mini", 150, 600), new OpenAiModelPrice("llama-3.1-8b", 0, 20)], copy.OpenAiPrices);
        Assert.Equal(512, copy.OpenAiDefaultMaxTokens);
        Assert.Equal("X-App-User", copy.OpenAiUserHeader);
        Assert.True(copy.OpenAiBalanceAsMessage);
        Assert.Equal("X-Origin-Usage", copy.OpenAiOriginUsageHeader);
    }

    [Fact]
    public void An_origin_usage_header_that_is_not_a_header_name_or_is_on_a_plain_resource_is_refused()
    {
        var chat = Chat(new OpenAiModelPrice("gpt-4o-mini", 150, 600));
        var bad = new Resource
        {
            Id = chat.Id, SiteId = chat.SiteId, Pattern = chat.Pattern, Kind = chat.Kind, OpenAiPrices = chat.OpenAiPrices, OpenAiOriginUsageHeader = "Usage: 5",
        };
        Assert.Contains(SnapshotValidator.Validate(Build(bad)), e => e.StartsWith("resources[0].openAiOriginUsageHeader", StringComparison.Ordinal));

        var plain = new Resource { Id = "r", SiteId = "s", Pattern = "/api", OpenAiOriginUsageHeader = "X-Origin-Usage" };
        Assert.Contains(SnapshotValidator.Validate(Build(plain)), e => e.StartsWith("resources[0].kind", StringComparison.Ordinal));
    }

    [Fact]
    public void Prices_out_of_bounds_twice_priced_models_and_bad_names_are_refused_naming_the_field()
    {
        var errors = SnapshotValidator.Validate(Build(Chat(
            new OpenAiModelPrice("gpt", -1, 1), new OpenAiModelPrice("gpt", 1, OpenAiDefaults.MaxMicrosPer1K + 1), new OpenAiModelPrice("has space", 1, 1))));
        Assert.Contains(errors, e => e.StartsWith("resources[0].openAiPrices[0].inputMicrosPer1K", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("resources[0].openAiPrices[1].model", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("resources[0].openAiPrices[1].outputMicrosPer1K", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("resources[0].openAiPrices[2].model", StringComparison.Ordinal));
    }

    [Fact]
    public void Openai_settings_on_a_plain_resource_are_refused()
    {
        var plain = new Resource { Id = "r", SiteId = "s", Pattern = "/api", OpenAiPrices = [new OpenAiModelPrice("m", 1, 1)], OpenAiBalanceAsMessage = true };
        var errors = SnapshotValidator.Validate(Build(plain));
        Assert.Contains(errors, e => e.StartsWith("resources[0].openAiPrices", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("resources[0].kind", StringComparison.Ordinal));
    }

    [Fact]
    public void The_largest_token_count_at_the_largest_price_does_not_overflow()
    {
        var cost = OpenAiDefaults.Cost(OpenAiDefaults.MaxTokenCount, OpenAiDefaults.MaxMicrosPer1K);
        Assert.Equal(OpenAiDefaults.MaxTokenCount * (OpenAiDefaults.MaxMicrosPer1K / 1000), cost);
        Assert.True(cost * 2 > 0);
        Assert.Equal(1, OpenAiDefaults.Cost(1, 1));
        Assert.Equal(OpenAiDefaults.Cost(OpenAiDefaults.MaxTokenCount, 7), OpenAiDefaults.Cost(long.MaxValue / 2, 7));
    }
}
