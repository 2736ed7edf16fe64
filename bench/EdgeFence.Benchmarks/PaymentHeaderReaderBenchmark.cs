using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeFence.Core.Model;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Payments.X402;

namespace EdgeFence.Benchmarks;

/// <summary>Reading and checking one x402 payment header (a reference-client-sized v2 payload) before the facilitator is asked.</summary>
[MemoryDiagnoser]
public class PaymentHeaderReaderBenchmark
{
    private const long Now = 1_796_226_000;

    private readonly X402Terms _terms = X402Terms.Create(new X402Settings
    {
        FacilitatorUrl = "http://127.0.0.1:4021/", Network = "eip155:84532", Asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
        PayTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", AssetName = "USDC", AssetVersion = "2",
    }, 10_000, "USD", "a paid call")!;

    private readonly string _header = Convert.ToBase64String(Encoding.UTF8.GetBytes(
        "{\"x402Version\":2,\"payload\":{\"authorization\":{\"from\":\"0x62141F40b5D871977712FC8D28E5B08d9fAD0B21\","
        + "\"to\":\"0x209693Bc6afc0C5328bA36FaF03C514EF312287C\",\"value\":\"10000\",\"validAfter\":\"0\",\"validBefore\":\"1796226060\","
        + "\"nonce\":\"0xcef9ce9d608e32c723fd7da4e50b56fa1c2085ba83e8606b093f91f937427746\"},\"signature\":\"0x" + new string('a', 130) + "\"},"
        + "\"resource\":{\"url\":\"http://127.0.0.1/paid\",\"description\":\"a paid call\",\"mimeType\":\"\"},"
        + "\"accepted\":{\"scheme\":\"exact\",\"network\":\"eip155:84532\",\"amount\":\"10000\",\"asset\":\"0x036cbd53842c5426634e7929541ec2318f3dcf7e\","
        + "\"payTo\":\"0x209693Bc6afc0C5328bA36FaF03C514EF312287C\",\"maxTimeoutSeconds\":60,\"extra\":{\"name\":\"USDC\",\"version\":\"2\"}}}"));

    [Benchmark]
    public bool Read() => PaymentHeaderReader.TryRead(_header, _terms, Now, out _, out _) == DenyReason.None;
}
