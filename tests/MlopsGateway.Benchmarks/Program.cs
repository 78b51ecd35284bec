using BenchmarkDotNet.Running;

// Runs the benchmarks chosen on the command line, e.g. `-- --filter '*GetRun*'`; see docs/benchmarks.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
