module DistributedContext.Tests.ContextFlowTests

open System
open Expecto
open DistributedContext
open DistributedContext.Tests.Generators

let private reader : ReaderLaws.Reader<ContextFlow<int>, ContextFlow<Context>> =
    { Of = flowOf
      Result = ContextFlow.result
      Bind = ContextFlow.bind
      Map = ContextFlow.map
      Local = ContextFlow.local
      WithNumber = ContextFlow.withValue Keys.number
      Run = ContextFlow.run
      Ask = ContextFlow.ask
      LocalAsk = ContextFlow.local
      Then = fun first second -> ContextFlow.bind (fun _ -> second) first
      RunAsk = ContextFlow.run }

let tests =
    testList "ContextFlow" [
        ReaderLaws.laws "laws" reader

        testList "builder" [
            test "let!, do!, and!, return!, if, match" {
                let flow = contextFlow {
                    let! number = ContextFlow.get Keys.number
                    and! text = ContextFlow.get Keys.text
                    do! ContextFlow.result ()
                    if number > 1 then
                        match text with
                        | "x" -> return! ContextFlow.map string (ContextFlow.get Keys.number)
                        | other -> return other
                    else
                        return "small"
                }
                let context = Context.empty |> Context.set Keys.number 5 |> Context.set Keys.text "x"
                Expect.equal (ContextFlow.run context flow) "5" "bound both"
                Expect.equal (ContextFlow.run (Context.set Keys.text "y" context) flow) "y" "match"
                Expect.equal (ContextFlow.run Context.empty flow) "small" "if"
            }

            test "for, while, try/with, try/finally, use" {
                let log = Collections.Generic.List<string>()
                let disposable = { new IDisposable with member _.Dispose() = log.Add "disposed" }
                let flow = contextFlow {
                    let mutable total = 0
                    for i in [ 1..3 ] do
                        let! n = ContextFlow.get Keys.number
                        total <- total + i * n
                    let mutable loops = 0
                    while loops < 2 do
                        loops <- loops + 1
                    use _ = disposable
                    try
                        failwith "boom"
                    with error ->
                        log.Add error.Message
                    try
                        log.Add "body"
                    finally
                        log.Add "finally"
                    return total + loops
                }
                Expect.equal (ContextFlow.run (Context.set Keys.number 10 Context.empty) flow) 62 "loops"
                Expect.equal (List.ofSeq log) [ "boom"; "body"; "finally"; "disposed" ] "handlers ran in order"
            }

            test "flows are cold: nothing runs before run" {
                let mutable ran = 0
                let flow = contextFlow {
                    ran <- ran + 1
                    return! ContextFlow.get Keys.number
                }
                Expect.equal ran 0 "not run yet"
                ContextFlow.run Context.empty flow |> ignore
                ContextFlow.run Context.empty flow |> ignore
                Expect.equal ran 2 "ran once a run"
            }

            test "exceptions pass through run unchanged" {
                let error = InvalidOperationException "inner"
                let flow = contextFlow { return raise error }
                try
                    ContextFlow.run Context.empty flow |> ignore
                    failtest "expected the exception"
                with thrown -> Expect.isTrue (obj.ReferenceEquals(thrown, error)) "the same exception object"
            }

            test "nested named scopes build the scope chain" {
                let flow =
                    ContextFlow.withScope "edge" (ContextFlow.withScope "api" ContextFlow.scopeChain)
                Expect.equal (ContextFlow.run Context.empty flow) [ "edge"; "api" ] "chain"
            }
        ]
    ]
