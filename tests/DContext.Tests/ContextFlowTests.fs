module DistributedContext.Tests.ContextFlowTests

open System
open Expecto
open DistributedContext
open DistributedContext.Tests.Generators

let private same (context: Context) (a: ContextFlow<'T>) (b: ContextFlow<'T>) =
    ContextFlow.run context a = ContextFlow.run context b

let tests =
    testList "ContextFlow" [
        testList "monad laws" [
            law "left identity: bind f (return a) = f a" (fun (context: Context) (a: int) (k: Continuation) ->
                same context (ContextFlow.bind (continueFlow k) (ContextFlow.result a)) (continueFlow k a))

            law "right identity: bind return m = m" (fun (context: Context) (m: FlowExpr) ->
                same context (ContextFlow.bind ContextFlow.result (flowOf m)) (flowOf m))

            law "associativity: bind g (bind f m) = bind (fun x -> bind g (f x)) m" (fun (context: Context) (m: FlowExpr) (f: Continuation) (g: Continuation) ->
                same context
                    (flowOf m |> ContextFlow.bind (continueFlow f) |> ContextFlow.bind (continueFlow g))
                    (flowOf m |> ContextFlow.bind (fun x -> continueFlow f x |> ContextFlow.bind (continueFlow g))))

            law "functor: map f = bind (return << f)" (fun (context: Context) (m: FlowExpr) (n: int) ->
                same context (ContextFlow.map ((*) n) (flowOf m)) (ContextFlow.bind (fun x -> ContextFlow.result (x * n)) (flowOf m)))
        ]

        testList "local" [
            law "local f runs the flow on f context: run c (local f ask) = f c" (fun (context: Context) (f: Change) ->
                ContextFlow.run context (ContextFlow.local (change f) ContextFlow.ask) = change f context)

            law "local id = id" (fun (context: Context) (m: FlowExpr) ->
                same context (ContextFlow.local id (flowOf m)) (flowOf m))

            law "local f (local g m) runs m under g (f context)" (fun (context: Context) (m: FlowExpr) (f: Change) (g: Change) ->
                same context
                    (ContextFlow.local (change f) (ContextFlow.local (change g) (flowOf m)))
                    (ContextFlow.local (change f >> change g) (flowOf m)))

            law "the scope does not leak: after local, the flow sees the original context" (fun (context: Context) (m: FlowExpr) (f: Change) ->
                let after = contextFlow {
                    let! _ = ContextFlow.local (change f) (flowOf m)
                    return! ContextFlow.ask
                }
                ContextFlow.run context after = context)

            law "withValue is local (set key value)" (fun (context: Context) (m: FlowExpr) (n: int) ->
                same context (ContextFlow.withValue Keys.number n (flowOf m)) (ContextFlow.local (Context.set Keys.number n) (flowOf m)))
        ]

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
