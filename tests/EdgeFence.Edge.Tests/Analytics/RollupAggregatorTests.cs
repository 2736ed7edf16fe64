using EdgeFence.Edge.Analytics;
using EdgeFence.Edge.DecisionLog;

namespace EdgeFence.Edge.Tests.Analytics;

public sealed class RollupAggregatorTests
{
    private static DecisionRecord Record(long timeMs, string? token, string decision = "allow", long units = 1, long charged = 0)
        => new(timeMs, "req", "site_a", token, token is null ? null : "cust-" + token, "plan_a", "/api/*", "GET", 200, decision, decision == "allow" ? "allowed" : "quota-exhausted",
            units, 0, 1, 200, 1, charged, charged > 0 ? "USD" : null);

    private static Dictionary<RollupKey, RollupCounts> Drain(RollupAggregator aggregator)
    {
        var copy = new Dictionary<RollupKey, RollupCounts>();
        aggregator.Drain(rollup =>
        {
            foreach (var (key, counts) in rollup)
            {
                copy[key] = counts;
            }
        });
        return copy;
    }

    [Fact]
    public void Decisions_of_one_minute_and_key_add_up_in_one_cell_and_a_drain_empties_the_table()
    {
        var aggregator = new RollupAggregator();
        aggregator.Add(Record(120_001, "t1", charged: 2500));
        aggregator.Add(Record(179_999, "t1", charged: 2500));
        aggregator.Add(Record(180_000, "t1"));
        aggregator.Add(Record(150_000, "t1", decision: "deny", units: 0));

        var rollup = Drain(aggregator);

        Assert.Equal(3, rollup.Count);
        var cell = rollup[new RollupKey(120_000, "site_a", "plan_a", "/api/*", "t1", "cust-t1", "allow", "allowed", "USD")];
        Assert.Equal(2, cell.Requests);
        Assert.Equal(2, cell.Units);
        Assert.Equal(5000, cell.ChargedMicros);
        Assert.Equal(1, rollup[new RollupKey(180_000, "site_a", "plan_a", "/api/*", "t1", "cust-t1", "allow", "allowed", "")].Requests);
        Assert.Empty(Drain(aggregator));
    }

    [Fact]
    public void Past_the_key_cap_new_tokens_are_folded_into_one_tokenless_cell_and_the_totals_stay_exact()
    {
        var aggregator = new RollupAggregator(maxKeys: 3);
        for (var i = 0; i < 10; i++)
        {
            aggregator.Add(Record(60_000, "t" + i));
        }

        var rollup = Drain(aggregator);

        Assert.Equal(10, rollup.Values.Sum(c => c.Requests));
        Assert.Equal(7, rollup[new RollupKey(60_000, "site_a", "plan_a", "/api/*", "", "", "allow", "allowed", "")].Requests);
        Assert.Equal(7, aggregator.Folded);
    }

    [Fact]
    public void Adding_to_an_existing_cell_allocates_nothing()
    {
        var aggregator = new RollupAggregator();
        var record = Record(60_000, "t1");
        // Warm up past tiered JIT: tier-up and call-counting stubs allocate on the calling thread.
        for (var i = 0; i < 5000; i++)
        {
            aggregator.Add(record);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            aggregator.Add(record);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(6000, Drain(aggregator).Single().Value.Requests);
    }
}
