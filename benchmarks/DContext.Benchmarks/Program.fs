module DistributedContext.Benchmarks.Program

open BenchmarkDotNet.Running

[<EntryPoint>]
let main args =
    BenchmarkSwitcher.FromAssembly(typeof<ScalingBenchmarks>.Assembly).Run(args) |> ignore
    0
