using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In process: no generated project to restore and build (the NuGet feed here is a partial copy).
// --short (bench/micro.sh) runs BenchmarkDotNet's ShortRun job (3 warm-ups, 3 iterations); without it the default job.
var shortRun = args.Contains("--short");
var job = (shortRun ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
var config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.OperationsPerSecond)
    .AddJob(job.AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Where(a => a != "--short").ToArray(), config);
