namespace DistributedContext.Benchmarks

open BenchmarkDotNet.Attributes
open DistributedContext

/// Get and Set as the number of registered-and-set keys and the scope depth grow.
/// Reads must stay flat and allocate nothing; a write copies one short path.
[<MemoryDiagnoser>]
type ScalingBenchmarks() =
    let mutable context = Context.empty
    let mutable probe = Keys.many[0]

    [<Params(1, 16, 256)>]
    member val Keys = 1 with get, set

    [<Params(1, 16, 64)>]
    member val Depth = 1 with get, set

    [<GlobalSetup>]
    member this.Setup() =
        context <- Keys.contextWith this.Keys this.Depth
        probe <- Keys.many[this.Keys - 1]

    [<Benchmark(Baseline = true)>]
    member _.Get() = Context.get probe context

    [<Benchmark>]
    member _.Set() = Context.set probe 42 context
