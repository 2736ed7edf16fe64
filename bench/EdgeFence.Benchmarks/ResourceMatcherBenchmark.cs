using BenchmarkDotNet.Attributes;
using EdgeFence.Core.Paths;

namespace EdgeFence.Benchmarks;

/// <summary>Path matching over 1,000 resource patterns of mixed shapes.</summary>
[MemoryDiagnoser]
public class ResourceMatcherBenchmark
{
    private ResourceMatcher _matcher = null!;

    [GlobalSetup]
    public void Setup()
    {
        var entries = new List<(PathPattern, int)>();
        for (var i = 0; i < 1000; i++)
        {
            var text = (i % 3) switch
            {
                0 => $"/api/v{i % 7}/resource{i}/*",
                1 => $"/api/v{i % 7}/*/item{i}",
                _ => $"/svc{i}/exact/path",
            };
            PathPattern.TryParse(text, out var pattern, out _);
            entries.Add((pattern!, i));
        }

        _matcher = ResourceMatcher.Build(entries);
    }

    [Benchmark]
    public bool MatchCatchAll() => _matcher.TryMatch("/api/v3/resource507/deep/below", out _);

    [Benchmark]
    public bool MatchWildcard() => _matcher.TryMatch("/API/v0/anything/item700", out _);

    [Benchmark]
    public bool Miss() => _matcher.TryMatch("/not/a/resource/at/all", out _);
}
