module DistributedContext.Tests.ContextTaskTests

open System
open System.Threading
open System.Threading.Tasks
open Expecto
open DistributedContext
open DistributedContext.Tests.Generators

let private result (context: Context) (flow: ContextTask<'T>) = (ContextTask.run context flow).GetAwaiter().GetResult()
/// A real asynchronous hop: the rest of the flow runs as a continuation on the pool.
let private hop () = Task.Run(fun () -> ())
let private reader : ReaderLaws.Reader<ContextTask<int>, ContextTask<Context>> =
    { Of = taskOf
      Result = ContextTask.result
      Bind = ContextTask.bind
      Map = ContextTask.map
      Local = ContextTask.local
      WithNumber = ContextTask.withValue Keys.number
      Run = result
      Ask = ContextTask.ask
      LocalAsk = ContextTask.local
      Then = fun first second -> contextTask {
          let! _ = first
          do! hop ()
          return! second }
      RunAsk = result }

let tests =
    testList "ContextTask" [
        ReaderLaws.laws "laws" reader

        testList "builder" [
            test "let! binds ContextTask, ContextFlow, Task, Task<'T>, ValueTask<'T> and Async<'T>" {
                let flow = contextTask {
                    let! a = ContextTask.get Keys.number
                    and! f = ContextTask.result 100000
                    let! b = ContextFlow.get Keys.number
                    do! Task.Delay 1
                    let! c = Task.FromResult 100
                    let! d = ValueTask<int>(1000)
                    let! e = async { return 10000 }
                    return a + b + c + d + e + f
                }
                Expect.equal (result (Context.set Keys.number 1 Context.empty) flow) 111102 "all sources"
            }

            test "for, while, try/with, try/finally, use across awaits" {
                let log = Collections.Concurrent.ConcurrentQueue<string>()
                let disposable = { new IDisposable with member _.Dispose() = log.Enqueue "disposed" }
                let flow = contextTask {
                    let mutable total = 0
                    for i in [ 1..3 ] do
                        do! hop ()
                        let! n = ContextTask.get Keys.number
                        total <- total + i * n
                    let mutable loops = 0
                    while loops < 2 do
                        do! hop ()
                        loops <- loops + 1
                    use _ = disposable
                    try
                        do! hop ()
                        failwith "boom"
                    with error ->
                        log.Enqueue error.Message
                    try
                        do! hop ()
                        log.Enqueue "body"
                    finally
                        log.Enqueue "finally"
                    if total > 0 then
                        return total + loops
                    else
                        return 0
                }
                Expect.equal (result (Context.set Keys.number 10 Context.empty) flow) 62 "loops"
                Expect.equal (List.ofSeq log) [ "boom"; "body"; "finally"; "disposed" ] "handlers ran in order"
            }

            test "flows are cold" {
                let mutable ran = 0
                let flow = contextTask {
                    ran <- ran + 1
                    return 1
                }
                Expect.equal ran 0 "not started"
                result Context.empty flow |> ignore
                Expect.equal ran 1 "started by run"
            }

            testTask "exceptions pass through unchanged" {
                let error = InvalidOperationException "inner"
                let flow = contextTask {
                    do! hop ()
                    return raise error
                }
                try
                    let! _ = ContextTask.run Context.empty flow
                    failtest "expected the exception"
                with thrown -> Expect.isTrue (obj.ReferenceEquals(thrown, error)) "the same exception object"
            }

            testTask "cancellation passes through: the flow's task is canceled" {
                let source = new CancellationTokenSource()
                source.Cancel()
                let flow = contextTask {
                    do! Task.Delay(1000, source.Token)
                    return 1
                }
                let running = ContextTask.run Context.empty flow
                try
                    let! _ = running
                    failtest "expected cancellation"
                with :? OperationCanceledException -> ()
                Expect.isTrue running.IsCanceled "canceled, not faulted"
            }
        ]
    ]
