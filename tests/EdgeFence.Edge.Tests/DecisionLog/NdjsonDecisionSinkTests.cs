using System.Text.Json;
using EdgeFence.Edge.DecisionLog;

namespace EdgeFence.Edge.Tests.DecisionLog;

public sealed class NdjsonDecisionSinkTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ef-ndjson-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static DecisionRecord Record(int i) => new(1_764_000_000_000 + i, "req-" + i, "site-a", "tok-1", "acme", "plan-basic", "res-1", "GET",
        200, "allowed", "allowed", 1, 1000 - i, 7, 200, 1.5);

    [Fact]
    public async Task Batches_are_written_whole_one_record_per_line_in_order()
    {
        await using (var sink = new NdjsonDecisionSink(_directory, "node-1"))
        {
            await sink.WriteAsync([.. Enumerable.Range(0, 500).Select(Record)], CancellationToken.None);
            await sink.WriteAsync([Record(500)], CancellationToken.None);
        }

        var lines = File.ReadAllLines(Assert.Single(Directory.GetFiles(_directory, "decisions-*.ndjson")));
        Assert.Equal(501, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            Assert.Equal("req-" + i, json.RootElement.GetProperty("requestId").GetString());
            Assert.Equal("node-1", json.RootElement.GetProperty("node").GetString());
            Assert.Equal(1000 - i, json.RootElement.GetProperty("remaining").GetInt64());
        }
    }

    [Fact]
    public async Task Files_rotate_within_a_batch_and_the_oldest_are_deleted()
    {
        const int maxFileBytes = 4096;
        await using (var sink = new NdjsonDecisionSink(_directory, "node-1", maxFileBytes, maxFiles: 3))
        {
            // Records of about 300 bytes: one batch fills several files, so the bound holds inside a batch too.
            await sink.WriteAsync([.. Enumerable.Range(0, 60).Select(Record)], CancellationToken.None);
        }

        var files = Directory.GetFiles(_directory, "decisions-*.ndjson").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(3, files.Length);
        var ids = new List<int>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            var longest = lines.Max(line => line.Length + 1);

            // A file is started anew before the record that would take it past the bound.
            Assert.True(new FileInfo(file).Length < maxFileBytes + longest, $"{file}: {new FileInfo(file).Length} bytes");
            ids.AddRange(lines.Select(line => int.Parse(JsonDocument.Parse(line).RootElement.GetProperty("requestId").GetString()!["req-".Length..])));
        }

        // The newest records survive, in order, ending with the last one written.
        Assert.Equal(59, ids[^1]);
        Assert.Equal(Enumerable.Range(ids[0], ids.Count), ids);
    }
}
