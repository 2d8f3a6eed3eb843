/// The peers the benchmarks measure against, set up with the same 8 entries.
module DistributedContext.Benchmarks.Peers

open System.Diagnostics
open System.Threading
open OpenTelemetry

/// A raw AsyncLocal: the floor every ambient read and write is compared with.
let raw = AsyncLocal<obj>()

let names = [| for i in 0..7 -> $"bench.s{i}" |]
let values = [| for i in 0..7 -> $"value-{i}" |]

/// Sets the 8 entries everywhere: DContext, OpenTelemetry Baggage, an Activity's baggage.
let setUp () =
    raw.Value <- box "value-0"
    for i in 0..7 do DistributedContext.DContext.Set(Keys.strings[i], values[i])
    let mutable baggage = Baggage.Create()
    for i in 0..7 do baggage <- baggage.SetBaggage(names[i], values[i])
    Baggage.Current <- baggage
    let activity = new Activity("bench")
    for i in 0..7 do activity.SetBaggage(names[i], values[i]) |> ignore
    activity.Start() |> ignore
