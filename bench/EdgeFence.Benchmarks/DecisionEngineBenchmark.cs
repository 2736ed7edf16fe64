using BenchmarkDotNet.Attributes;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;

namespace EdgeFence.Benchmarks;

/// <summary>
/// The whole decision, in process: site → path match → token hash → FASTER lookup → window/quota
/// read-modify-write, with one million tokens loaded. Allowed and denied paths.
/// </summary>
[MemoryDiagnoser]
public class DecisionEngineBenchmark
{
    private string _dir = "";
    private CounterStore _store = null!;
    private EdgeState _state = null!;
    private SiteRuntime _site = null!;
    private DecisionEngine _engine = null!;

    [Params(1_000_000)]
    public int Tokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "edgefence-bench", Guid.NewGuid().ToString("N"));
        _store = new CounterStore(_dir, Tokens);
        _state = EdgeStateBuilder.Build(BenchSnapshot.Create(Tokens));
        _state.TryGetSiteByHost("bench.test", out _site);
        _engine = new DecisionEngine(_store, TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public int Allow()
    {
        _engine.Decide(_state, _site, "/api/v1/items", "GET", BenchSnapshot.AllowedToken, false, out var decision);
        return (int)decision.Outcome;
    }

    [Benchmark]
    public int DenyQuota()
    {
        _engine.Decide(_state, _site, "/api/v1/items", "GET", BenchSnapshot.DeniedToken, false, out var decision);
        return (int)decision.Outcome;
    }

    [Benchmark]
    public int DenyUnknownToken()
    {
        _engine.Decide(_state, _site, "/api/v1/items", "GET", "bench-no-such-token", false, out var decision);
        return (int)decision.Outcome;
    }
}
