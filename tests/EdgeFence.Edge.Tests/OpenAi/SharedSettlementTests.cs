using System.ClientModel;
using System.Net;
using EdgeFence.Core.Model;
using EdgeFence.Core.Payments;
using EdgeFence.Edge.Tests.Infrastructure;
using EdgeFence.Edge.Tests.Payments;
using EdgeFence.Edge.Tests.Sync;
using OpenAI;
using OpenAI.Chat;
using StackExchange.Redis;

namespace EdgeFence.Edge.Tests.OpenAi;

/// <summary>
/// Metered calls on a balance shared through a real redis-server: each call reserves more than it uses and is settled
/// below its reservation, and what was given back reaches the ledger (its <c>r:</c> fields), so the balance the control
/// plane reads is the credit minus exactly the usage.
/// </summary>
public sealed class SharedSettlementTests
{
    private const long Credit = 10_000_000;
    private const int Calls = 4;

    // 17 prompt tokens at 2,000 micros per 1K and 5 completion tokens at 8,000 per 1K, each rounded up to a micro.
    private static readonly long UsageCost = OpenAiDefaults.Cost(17, OpenAiSnapshot.InputPer1K) + OpenAiDefaults.Cost(5, OpenAiSnapshot.OutputPer1K);

    [Fact]
    public async Task Refunds_of_settled_calls_reach_the_redis_ledger()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await OpenAiOrigin.StartAsync();
        var edges = await SharedQuotaTests.StartEdgesAsync(OpenAiSnapshot.Create(origin.Url), redis.ConnectionString, 2);
        try
        {
            foreach (var edge in edges)
            {
                using var pushed = await PrepaidSnapshot.PushAsync(edge, OpenAiSnapshot.Book(1, Credit));
                Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
            }

            // :: The calls alternate between the edges, each reserving 1,000 completion tokens' price: far more than it uses.
            for (var i = 0; i < Calls; i++)
            {
                var client = new ChatClient(OpenAiSnapshot.Model, new ApiKeyCredential(OpenAiSnapshot.Token), new OpenAIClientOptions { Endpoint = new Uri(edges[i % 2].PublicUrl + "/demo/v1") });
                ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 1000 });
                Assert.Equal(5, completion.Usage.OutputTokenCount);
            }
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.StopAsync();
            }
        }

        // :: The ledger the control plane reads: each edge's admitted gross (the reservations) minus its refunds is its calls' usage.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var fields = (await connection.GetDatabase().HashGetAllAsync(WalletKey.RedisKey("demo", OpenAiSnapshot.Customer, "USD"))).ToDictionary(f => f.Name.ToString(), f => (long)f.Value);
        foreach (var node in new[] { "edge-0", "edge-1" })
        {
            var gross = fields["u:" + node];
            var refunded = fields["r:" + node];
            Assert.True(gross > Calls / 2 * UsageCost, $"{node}: gross {gross}, each call reserved more than it used");
            Assert.Equal(Calls / 2 * UsageCost, gross - refunded);
        }

        foreach (var edge in edges)
        {
            await edge.DisposeAsync();
        }
    }
}
