using BenchmarkDotNet.Attributes;
using EdgeFence.Core.Security;

namespace EdgeFence.Benchmarks;

/// <summary>The signature header the edge adds to every forwarded request.</summary>
[MemoryDiagnoser]
public class RequestSignerBenchmark
{
    private readonly byte[] _key = new byte[32];

    [Benchmark]
    public string CreateHeader() => RequestSigner.CreateHeaderValue(_key, 1_790_000_000, "POST", "/v1/chat/completions?x=1", "tok_123", "acme", "plan-pro", "0f8e2d7c6b5a49382716f5e4d3c2b1a0", "2500 USD");
}
