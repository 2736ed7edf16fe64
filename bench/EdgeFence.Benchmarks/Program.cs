using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(EdgeFence.Benchmarks.BenchSnapshot).Assembly).Run(args);
