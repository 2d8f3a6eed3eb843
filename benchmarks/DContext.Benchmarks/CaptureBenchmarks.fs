namespace DistributedContext.Benchmarks

open System.Threading
open BenchmarkDotNet.Attributes
open DistributedContext

/// Taking a snapshot of the current context.
[<MemoryDiagnoser>]
type CaptureBenchmarks() =
    [<GlobalSetup>]
    member _.Setup() = Peers.setUp ()

    [<Benchmark(Baseline = true, Description = "raw AsyncLocal read")>]
    member _.RawAsyncLocal() = Peers.raw.Value

    [<Benchmark(Description = "DContext.Capture()")>]
    member _.Capture() = DContext.Capture()

    [<Benchmark(Description = "ExecutionContext.Capture()")>]
    member _.ExecutionContextCapture() = ExecutionContext.Capture()
