module DistributedContext.Tests.AmbientTests

open System
open System.Threading
open System.Threading.Tasks
open Expecto
open FsCheck
open FsCheck.FSharp
open DistributedContext
open DistributedContext.Tests.Generators

/// What code does to the ambient context inside a scope.
type AmbientOp =
    | Write of ContextOp
    | Nested of string option * AmbientOp list
    | AttachBuilt of ContextOp list
    | NestedThenThrow of AmbientOp list

exception Planned

let rec perform op =
    match op with
    | Write contextOp -> AmbientSlot.set (apply (Ambient.capture ()) contextOp)
    | Nested(name, ops) ->
        use _ = match name with Some name -> Ambient.enterNamedScope name | None -> Ambient.enterScope ()
        List.iter perform ops
    | AttachBuilt ops ->
        use _ = Ambient.attach (List.fold apply Context.empty ops)
        ()
    | NestedThenThrow ops ->
        try
            Ambient.scope (fun () ->
                List.iter perform ops
                raise Planned)
        with Planned -> ()

let private genScript : Gen<AmbientOp list> =
    let rec genOp size =
        if size <= 1 then Gen.map Write genOp'
        else
            Gen.frequency [
                4, Gen.map Write genOp'
                1, Gen.map2 (fun name ops -> Nested(name, ops)) (ArbMap.defaults |> ArbMap.generate<string option> |> Gen.map (Option.filter (isNull >> not))) (Gen.listOfLength 3 (genOp (size / 2)))
                1, Gen.map AttachBuilt genOps
                1, Gen.map NestedThenThrow (Gen.listOfLength 2 (genOp (size / 2)))
            ]
    and genOp' = Generators.genOp
    Gen.sized (fun size -> Gen.listOf (genOp (min size 8)))

let private arbScript = Arb.fromGen genScript

/// Runs a test body on a clean ambient context, whatever the test runner's thread carries.
let clean body = Ambient.run Context.empty body

let tests =
    testList "Ambient" [
        testList "rollback" [
            testPropertyWithConfig config "rollback: leaving a scope by dispose restores the context from before it"
                (Prop.forAll arbScript (fun script ->
                    clean (fun () ->
                        List.iter perform [ Write(SetText "outer"); Write(EnterScope "outer") ]
                        let before = Ambient.capture ()
                        do
                            use _ = Ambient.enterScope ()
                            List.iter perform script
                        obj.ReferenceEquals(Ambient.capture (), before))))

            testPropertyWithConfig config "rollback: leaving a scope by return or by exception restores the context"
                (Prop.forAll arbScript (fun script ->
                    clean (fun () ->
                        let before = Ambient.capture ()
                        Ambient.scope (fun () -> List.iter perform script)
                        let afterReturn = Ambient.capture ()
                        (try Ambient.scope (fun () -> List.iter perform script; raise Planned) with Planned -> ())
                        obj.ReferenceEquals(afterReturn, before) && obj.ReferenceEquals(Ambient.capture (), before))))

            testPropertyWithConfig config "rollback: a named scope adds its name and takes it away"
                (Prop.forAll arbScript (fun script ->
                    clean (fun () ->
                        let chain =
                            use _ = Ambient.enterNamedScope "api"
                            let inside = Ambient.scopeChain ()
                            List.iter perform script
                            inside
                        chain = [ "api" ] && Ambient.scopeChain () = [])))
        ]

        testList "isolation" [
            testPropertyWithConfig config "isolation: writes in a child task never reach the parent or a sibling"
                (Prop.forAll arbScript (fun script ->
                    clean (fun () ->
                        Ambient.set Keys.number 1
                        let before = Ambient.capture ()
                        let child = Task.Run(fun () -> List.iter perform script; Ambient.set Keys.number 2)
                        let sibling = Task.Run(fun () -> Ambient.get Keys.number)
                        child.Wait()
                        sibling.Result = 1 && obj.ReferenceEquals(Ambient.capture (), before))))

            testTask "isolation: 10,000 concurrent flows each see only their own values and scopes" {
                let flows = 10_000
                let! results =
                    Task.WhenAll [|
                        for i in 0 .. flows - 1 ->
                            Task.Run<bool>(fun () ->
                                task {
                                    use _ = Ambient.enterNamedScope $"flow{i}"
                                    Ambient.set Keys.number i
                                    do! Task.Yield()
                                    use _ = Ambient.enterNamedScope "inner"
                                    Ambient.set Keys.text (string i)
                                    do! Task.Delay(i % 3)
                                    return Ambient.get Keys.number = i
                                           && Ambient.get Keys.text = string i
                                           && Ambient.scopeChain () = [ $"flow{i}"; "inner" ]
                                })
                    |]
                Expect.equal (results |> Array.filter not |> Array.length) 0 "no cross-talk"
                // Work queued without execution-context flow sees what the pool thread carries: nothing.
                let! leftovers =
                    Task.WhenAll [|
                        for _ in 1..64 ->
                            let done' = TaskCompletionSource<int>()
                            ThreadPool.UnsafeQueueUserWorkItem((fun _ -> done'.SetResult(Context.count (Ambient.capture ()) + (Ambient.scopeChain ()).Length)), null) |> ignore
                            done'.Task
                    |]
                Expect.equal (Array.sum leftovers) 0 "pool threads carry no leftover context"
            }
        ]

        testList "scope misuse" [
            test "disposing an outer scope first throws ScopeOrder naming both, restores, and the inner dispose is then harmless" {
                clean (fun () ->
                    Ambient.set Keys.text "before"
                    let before = Ambient.capture ()
                    let outer = Ambient.enterNamedScope "outer"
                    Ambient.set Keys.text "in outer"
                    let inner = Ambient.enterNamedScope "inner"
                    Ambient.set Keys.text "in inner"
                    let exn = Expect.throwsC (fun () -> outer.Dispose()) id
                    match exn with
                    | :? ContextException as error ->
                        Expect.equal error.Kind ContextErrorKind.ScopeOrder "kind"
                        Expect.stringContains error.Message "'outer'" "names the outer scope"
                        Expect.stringContains error.Message "'inner'" "names the skipped scope"
                    | other -> failtest $"unexpected {other}"
                    Expect.isTrue (obj.ReferenceEquals(Ambient.capture (), before)) "context from before the outer scope"
                    inner.Dispose()
                    outer.Dispose()
                    Expect.isTrue (obj.ReferenceEquals(Ambient.capture (), before)) "later disposes change nothing")
            }

            test "disposing a scope twice is harmless" {
                clean (fun () ->
                    let before = Ambient.capture ()
                    let scope = Ambient.enterScope ()
                    Ambient.set Keys.number 3
                    scope.Dispose()
                    scope.Dispose()
                    Expect.isTrue (obj.ReferenceEquals(Ambient.capture (), before)) "restored once")
            }

            test "disposing a scope entered in a child flow throws ScopeOrder and changes nothing" {
                clean (fun () ->
                    Ambient.set Keys.number 1
                    let before = Ambient.capture ()
                    let foreign = Task.Run(fun () -> Ambient.enterNamedScope "child").Result
                    let exn = Expect.throwsC (fun () -> foreign.Dispose()) id
                    Expect.equal (exn :?> ContextException).Kind ContextErrorKind.ScopeOrder "kind"
                    Expect.isTrue (obj.ReferenceEquals(Ambient.capture (), before)) "nothing changed")
            }

            test "entering a null-named scope is an ArgumentNullException" {
                Expect.throwsT<ArgumentNullException> (fun () -> Ambient.enterNamedScope null |> ignore) "null name"
            }
        ]

        testList "attach and run" [
            test "attach replaces the current context exactly, never merges" {
                clean (fun () ->
                    Ambient.set Keys.text "current"
                    let captured = Context.empty |> Context.set Keys.number 9 |> Context.enterScope "captured"
                    do
                        use _ = Ambient.attach captured
                        Expect.isTrue (obj.ReferenceEquals(Ambient.capture (), captured)) "exactly the captured context"
                        Expect.isNone (Ambient.tryGet Keys.text) "nothing merged from before"
                    Expect.equal (Ambient.get Keys.text) "current" "restored")
            }

            test "capture is the immutable current context: later writes do not change it" {
                clean (fun () ->
                    Ambient.set Keys.number 1
                    let captured = Ambient.capture ()
                    Ambient.set Keys.number 2
                    Expect.equal (Context.get Keys.number captured) 1 "captured unchanged")
            }
        ]

        testList "F# bridge" [
            test "ContextFlow.withAmbient shows the flow's context to impure code, then restores" {
                clean (fun () ->
                    Ambient.set Keys.text "ambient"
                    let flow = contextFlow {
                        let! seen = ContextFlow.withAmbient (fun () -> Ambient.get Keys.text)
                        return seen
                    }
                    let seen = flow |> ContextFlow.withValue Keys.text "flow" |> ContextFlow.run Context.empty
                    Expect.equal seen "flow" "impure code saw the flow's value"
                    Expect.equal (Ambient.get Keys.text) "ambient" "ambient restored")
            }

            test "ContextFlow.runAmbient runs on the ambient context" {
                clean (fun () ->
                    use _ = Ambient.enterNamedScope "edge"
                    Ambient.set Keys.number 5
                    Expect.equal (ContextFlow.runAmbient (ContextFlow.get Keys.number)) 5 "value"
                    Expect.equal (ContextFlow.runAmbient ContextFlow.scopeChain) [ "edge" ] "scopes")
            }

            testTask "ContextTask.withAmbient and runAmbient bridge Task-based code" {
                let flow = contextTask {
                    let! seen = ContextTask.withAmbient (fun () -> task {
                        do! Task.Yield()
                        return Ambient.get Keys.text })
                    return seen
                }
                let! seen = ContextTask.run (Context.set Keys.text "flow" Context.empty) flow
                Expect.equal seen "flow" "seen after an await"
                let! fromAmbient = Ambient.runTask (Context.set Keys.number 4 Context.empty) (fun () -> ContextTask.runAmbient (ContextTask.get Keys.number))
                Expect.equal fromAmbient 4 "runAmbient"
            }
        ]

        testList "propagation in F#" [
            testTask "task { } carries the context across awaits; the child's writes stay in the child" {
                do! Ambient.runTask (Context.set Keys.number 1 Context.empty) (fun () -> task {
                    do! Task.Yield()
                    let! childSaw = task {
                        do! Task.Delay 1
                        let saw = Ambient.get Keys.number
                        Ambient.set Keys.number 2
                        return saw
                    }
                    Expect.equal childSaw 1 "child saw the parent's value"
                    Expect.equal (Ambient.get Keys.number) 1 "the child's write did not reach the parent"
                })
            }

            test "async { } with Async.Parallel and Async.StartChild" {
                clean (fun () ->
                    Ambient.set Keys.number 7
                    let child i = async {
                        do! Async.Sleep 1
                        let saw = Ambient.get Keys.number
                        Ambient.set Keys.number (100 + i)
                        do! Async.Sleep 1
                        return saw, Ambient.get Keys.number
                    }
                    let results = Async.Parallel [ for i in 1..8 -> child i ] |> Async.RunSynchronously
                    Expect.equal results [| for i in 1..8 -> 7, 100 + i |] "each child saw the parent's value, then only its own"
                    let started = async {
                        let! running = Async.StartChild(child 50)
                        return! running
                    }
                    Expect.equal (Async.RunSynchronously started) (7, 150) "StartChild"
                    Expect.equal (Ambient.get Keys.number) 7 "parent unchanged")
            }
        ]
    ]
