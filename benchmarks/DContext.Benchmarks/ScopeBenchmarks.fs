namespace DistributedContext.Benchmarks

open BenchmarkDotNet.Attributes
open OpenTelemetry
open DistributedContext

/// Entering a scope, writing one value, leaving: the cost of a request-scoped change.
[<MemoryDiagnoser>]
type ScopeBenchmarks() =
    [<GlobalSetup>]
    member _.Setup() = Peers.setUp ()

    [<Benchmark(Baseline = true, Description = "raw AsyncLocal write + restore")>]
    member _.RawAsyncLocal() =
        let previous = Peers.raw.Value
        Peers.raw.Value <- "changed"
        Peers.raw.Value <- previous

    [<Benchmark(Description = "EnterScope() + Set + Dispose")>]
    member _.Scope() =
        use _ = DContext.EnterScope()
        DContext.Set(Keys.strings[3], "changed")

    [<Benchmark(Description = "EnterScope(name) + Set + Dispose")>]
    member _.NamedScope() =
        use _ = DContext.EnterScope "api"
        DContext.Set(Keys.strings[3], "changed")

    [<Benchmark(Description = "OTel SetBaggage + restore")>]
    member _.OpenTelemetryBaggage() =
        let previous = Baggage.Current
        Baggage.SetBaggage("bench.s3", "changed") |> ignore
        Baggage.Current <- previous
