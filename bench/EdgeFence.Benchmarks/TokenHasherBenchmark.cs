using BenchmarkDotNet.Attributes;
using EdgeFence.Core.Security;

namespace EdgeFence.Benchmarks;

[MemoryDiagnoser]
public class TokenHasherBenchmark
{
    private readonly byte[] _hash = new byte[32];

    [Benchmark]
    public bool HashToken() => TokenHasher.TryHash("ef_live_4f9c2a71d3b84e0a9c5d7e6f1a2b3c4d", _hash);
}
