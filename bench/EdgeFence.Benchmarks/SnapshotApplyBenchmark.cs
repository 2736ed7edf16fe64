using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Snapshots;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeFence.Benchmarks;

/// <summary>
/// What an edge does with a pushed snapshot of one million tokens, end to end: verify the signature,
/// decode, validate, compile (token index, counter keys), persist to disk with fsync, publish.
/// </summary>
[MemoryDiagnoser]
public class SnapshotApplyBenchmark
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private byte[] _bytes = [];
    private byte[] _signature = [];
    private string _dir = "";
    private SnapshotManager _manager = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bytes = SnapshotSerializer.Serialize(BenchSnapshot.Create(1_000_000));
        _signature = SnapshotSigner.Sign(_bytes, _key);
    }

    [IterationSetup]
    public void NewEdge()
    {
        _dir = Path.Combine(Path.GetTempPath(), "edgefence-bench", Guid.NewGuid().ToString("N"));
        _manager = new SnapshotManager(_key, _dir, NullLogger.Instance);
    }

    [IterationCleanup]
    public void RemoveEdge()
    {
        _manager.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public int VerifyDecodeValidateCompilePersist() => (int)_manager.TryApply(_bytes, _signature).Status;

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();
}
