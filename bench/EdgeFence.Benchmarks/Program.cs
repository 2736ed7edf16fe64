using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.NativeAot;

// bench/run.sh passes two flags of ours before BenchmarkDotNet's own arguments:
//   --short       three warm-up and three measured iterations (BenchmarkDotNet's ShortRun)
//   --native-aot  the NativeAOT toolchain, with the ILCompiler of the running runtime's version from
//                 nuget.org: BenchmarkDotNet's default for .NET 10 is a feed this machine cannot reach.
var job = args.Contains("--short") ? Job.ShortRun : Job.Default;
if (args.Contains("--native-aot"))
{
    job = job
        .WithRuntime(NativeAotRuntime.Net10_0)
        .WithToolchain(NativeAotToolchain.CreateBuilder()
            .UseNuGet(Environment.Version.ToString(), "https://api.nuget.org/v3/index.json")
            .TargetFrameworkMoniker("net10.0")
            .ToToolchain());
}

BenchmarkSwitcher.FromAssembly(typeof(EdgeFence.Benchmarks.BenchSnapshot).Assembly)
    .Run([.. args.Where(a => a is not ("--short" or "--native-aot"))], DefaultConfig.Instance.AddJob(job));
