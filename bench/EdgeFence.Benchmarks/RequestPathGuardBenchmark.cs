using BenchmarkDotNet.Attributes;
using EdgeFence.Core.Paths;

namespace EdgeFence.Benchmarks;

[MemoryDiagnoser]
public class RequestPathGuardBenchmark
{
    [Benchmark]
    public PathVerdict TypicalTarget() => RequestPathGuard.Check("/api/v1/chat/completions?model=gpt&stream=true");
}
