using BenchmarkDotNet.Attributes;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Snapshots;

namespace EdgeFence.Benchmarks;

/// <summary>Snapshot of one million tokens: decode, and decode + compile (token index build), as an edge applies it.</summary>
[MemoryDiagnoser]
public class SnapshotSerializerBenchmark
{
    private byte[] _bytes = [];

    [GlobalSetup]
    public void Setup() => _bytes = SnapshotSerializer.Serialize(BenchSnapshot.Create(1_000_000));

    [Benchmark]
    public int Decode() => SnapshotSerializer.Deserialize(_bytes).Tokens.Count;

    [Benchmark]
    public long DecodeAndApply()
    {
        return EdgeStateBuilder.Build(SnapshotSerializer.Deserialize(_bytes)).Version;
    }
}
