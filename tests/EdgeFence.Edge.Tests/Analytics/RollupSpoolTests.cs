using System.Text.Json;
using EdgeFence.Edge.Analytics;

namespace EdgeFence.Edge.Tests.Analytics;

public sealed class RollupSpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "edgefence-spool-tests", Guid.NewGuid().ToString("N"));

    private static Dictionary<RollupKey, RollupCounts> Rollup(int keys)
    {
        var rollup = new Dictionary<RollupKey, RollupCounts>();
        for (var i = 0; i < keys; i++)
        {
            rollup[new RollupKey(60_000, "site_a", "plan_a", "/api/*", "tok-" + i, "cust", "allow", "allowed", "")] = new RollupCounts { Requests = 2, Units = 2 };
        }

        return rollup;
    }

    [Fact]
    public void A_large_rollup_is_cut_into_batches_of_500_rows_with_unique_ids_that_sum_to_the_whole()
    {
        var spool = new RollupSpool(_directory, "edge-a", 64L * 1024 * 1024, TimeProvider.System);

        Assert.Equal(3, spool.Write(Rollup(1200)));

        var batches = spool.Pending().Select(f => JsonDocument.Parse(File.ReadAllBytes(f)).RootElement).ToList();
        Assert.Equal([500, 500, 200], batches.Select(b => b.GetProperty("rows").GetArrayLength()));
        Assert.Equal(3, batches.Select(b => b.GetProperty("batch").GetString()).Distinct().Count());
        Assert.All(batches, b => Assert.Equal("edge-a", b.GetProperty("edge").GetString()));
        Assert.Equal(2400, batches.Sum(b => b.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("requests").GetInt64())));
        Assert.Equal(Path.GetFileNameWithoutExtension(spool.Pending()[0]), batches[0].GetProperty("batch").GetString());
    }

    [Fact]
    public void Past_its_byte_bound_the_spool_drops_the_oldest_batches_and_counts_them()
    {
        var spool = new RollupSpool(_directory, "edge-a", 40 * 1024, TimeProvider.System);
        for (var i = 0; i < 10; i++)
        {
            spool.Write(Rollup(100));
        }

        Assert.True(spool.Bytes <= 40 * 1024, $"{spool.Bytes} bytes spooled");
        Assert.True(spool.Discarded > 0);
        Assert.Equal(10 - spool.Discarded, spool.Pending().Length);

        // The newest batch is always kept.
        Assert.EndsWith("00000010.json", spool.Pending()[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_restarted_edge_finds_the_batches_it_had_not_sent_and_names_new_ones_apart()
    {
        var first = new RollupSpool(_directory, "edge-a", 64L * 1024 * 1024, TimeProvider.System);
        first.Write(Rollup(3));
        Thread.Sleep(5);

        var second = new RollupSpool(_directory, "edge-a", 64L * 1024 * 1024, TimeProvider.System);
        Assert.Single(second.Pending());
        Assert.Equal(first.Bytes, second.Bytes);
        second.Write(Rollup(3));

        var names = second.Pending().Select(Path.GetFileName).ToList();
        Assert.Equal(2, names.Distinct().Count());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
