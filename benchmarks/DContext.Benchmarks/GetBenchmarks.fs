namespace DistributedContext.Benchmarks

open System.Diagnostics
open BenchmarkDotNet.Attributes
open OpenTelemetry
open DistributedContext

/// Reading one value with 8 entries set.
[<MemoryDiagnoser>]
type GetBenchmarks() =
    let mutable captured = Context.empty

    [<GlobalSetup>]
    member _.Setup() =
        Peers.setUp ()
        captured <- DContext.Capture()

    [<Benchmark(Baseline = true, Description = "raw AsyncLocal<object>.Value")>]
    member _.RawAsyncLocal() = Peers.raw.Value

    [<Benchmark(Description = "DContext.Get(key)")>]
    member _.TypedGet() = DContext.Get(Keys.strings[5])

    [<Benchmark(Description = "DContext.Get<T>(name)")>]
    member _.NamedGet() = DContext.Get<string>("bench.s5")

    [<Benchmark(Description = "Context.get (captured)")>]
    member _.PureGet() = Context.get Keys.strings[5] captured

    [<Benchmark(Description = "OTel Baggage.GetBaggage")>]
    member _.OpenTelemetryBaggage() = Baggage.GetBaggage "bench.s5"

    [<Benchmark(Description = "Activity.GetBaggageItem")>]
    member _.ActivityBaggage() = Activity.Current.GetBaggageItem "bench.s5"
