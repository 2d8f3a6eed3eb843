/// The long-running decoder fuzzer: `dotnet run -c Release --project tests/DContext.Fuzz -- [inputs] [seed]`
/// (default 1,000,000 inputs). Exits 1 and writes each offending input to fuzz-failures/ if any
/// input makes the decoder throw or report an error other than DeserializationFailed/ContextTooLarge.
module DistributedContext.Fuzz.Program

open System
open System.Diagnostics
open System.IO

[<EntryPoint>]
let main args =
    let count = if args.Length > 0 then Int64.Parse args[0] else 1_000_000L
    let seed = if args.Length > 1 then Int32.Parse args[1] else Environment.TickCount
    let clock = Stopwatch.StartNew()
    printfn "fuzzing the decoder: %d inputs, seed %d" count seed
    let failures = Mutator.run seed count (fun done' -> printfn "  %d inputs, %.1f s" done' clock.Elapsed.TotalSeconds)
    printfn "%d inputs in %.1f s: %d escaped or wrong-kind" count clock.Elapsed.TotalSeconds failures.Length
    if failures.IsEmpty then 0
    else
        Directory.CreateDirectory "fuzz-failures" |> ignore
        for index, (input, outcome) in List.indexed failures |> List.truncate 20 do
            File.WriteAllBytes(Path.Combine("fuzz-failures", $"failure-{index}.bin"), input)
            printfn "  failure %d: %A" index outcome
        1
