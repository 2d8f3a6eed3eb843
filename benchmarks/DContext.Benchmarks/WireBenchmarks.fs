namespace DistributedContext.Benchmarks

open System.Collections.Generic
open BenchmarkDotNet.Attributes
open BenchmarkDotNet.Configs
open OpenTelemetry
open OpenTelemetry.Context.Propagation
open DistributedContext

/// Crossing a process with n string entries: to the header string and back, against
/// OpenTelemetry's W3C baggage propagator doing the same with the same entries.
[<MemoryDiagnoser; GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory); CategoriesColumn>]
type WireBenchmarks() =
    let propagator = BaggagePropagator()
    let setter = System.Action<Dictionary<string, string>, string, string>(fun carrier name value -> carrier[name] <- value)
    let getter = System.Func<Dictionary<string, string>, string, IEnumerable<string>>(fun carrier name ->
        match carrier.TryGetValue name with
        | true, value -> [| value |] :> _
        | _ -> Seq.empty)
    let mutable context = Context.empty
    let mutable encoded = ""
    let mutable otelContext = PropagationContext()
    let mutable otelCarrier = Dictionary<string, string>()

    [<Params(1, 8, 32)>]
    member val Entries = 8 with get, set

    [<GlobalSetup>]
    member this.Setup() =
        context <- Seq.fold (fun c i -> Context.set Keys.strings[i] $"value-{i}-abcdef" c) Context.empty [ 0 .. this.Entries - 1 ]
        encoded <- context.SerializeToString()
        let mutable baggage = Baggage.Create()
        for i in 0 .. this.Entries - 1 do baggage <- baggage.SetBaggage($"bench.s{i}", $"value-{i}-abcdef")
        otelContext <- PropagationContext(Unchecked.defaultof<_>, baggage)
        otelCarrier <- Dictionary()
        propagator.Inject(otelContext, otelCarrier, setter)

    [<Benchmark(Baseline = true, Description = "OTel BaggagePropagator.Inject"); BenchmarkCategory("encode")>]
    member _.OpenTelemetryInject() =
        let carrier = Dictionary<string, string>(1)
        propagator.Inject(otelContext, carrier, setter)
        carrier

    [<Benchmark(Description = "Context.SerializeToString"); BenchmarkCategory("encode")>]
    member _.Encode() = context.SerializeToString()

    [<Benchmark(Baseline = true, Description = "OTel BaggagePropagator.Extract"); BenchmarkCategory("decode")>]
    member _.OpenTelemetryExtract() = propagator.Extract(PropagationContext(), otelCarrier, getter)

    [<Benchmark(Description = "Context.DeserializeFromString"); BenchmarkCategory("decode")>]
    member _.Decode() = Context.DeserializeFromString encoded
