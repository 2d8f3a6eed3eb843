namespace DistributedContext

open System
open System.Threading.Tasks

[<Sealed>]
type ContextTask<'T> internal (run: Context -> Task<'T>) =
    member internal _.Invoke context = run context

[<RequireQualifiedAccess>]
module ContextTask =

    [<CompiledName("Run")>]
    let run (context: Context) (flow: ContextTask<'T>) = flow.Invoke context

    [<CompiledName("RunAmbient")>]
    let runAmbient (flow: ContextTask<'T>) = flow.Invoke(AmbientSlot.current ())

    [<CompiledName("Return")>]
    let result (value: 'T) = ContextTask(fun _ -> Task.FromResult value)

    [<CompiledName("OfFlow")>]
    let ofFlow (flow: ContextFlow<'T>) = ContextTask(fun context -> Task.FromResult(ContextFlow.run context flow))

    [<CompiledName("Ask")>]
    let ask = ofFlow ContextFlow.ask

    [<CompiledName("Get")>]
    let get (key: ContextKey<'T>) = ofFlow (ContextFlow.get key)

    [<CompiledName("TryGet")>]
    let tryGet (key: ContextKey<'T>) = ofFlow (ContextFlow.tryGet key)

    [<CompiledName("OfTask")>]
    let ofTask (start: unit -> Task<'T>) = ContextTask(fun _ -> start ())

    [<CompiledName("Local")>]
    let local (change: Context -> Context) (flow: ContextTask<'T>) = ContextTask(fun context -> flow.Invoke(change context))

    [<CompiledName("WithValue")>]
    let withValue (key: ContextKey<'V>) (value: 'V) flow = local (Context.set key value) flow

    [<CompiledName("WithScope")>]
    let withScope (name: string) flow = local (Context.enterScope name) flow

    [<CompiledName("WithAmbient")>]
    let withAmbient (body: unit -> Task<'T>) =
        ContextTask(fun context ->
            let scope = ContextScope.Enter(context, null)
            try body () finally scope.Dispose())

    [<CompiledName("Bind")>]
    let bind (binder: 'T -> ContextTask<'U>) (flow: ContextTask<'T>) =
        ContextTask(fun context ->
            task {
                let! value = flow.Invoke context
                return! (binder value).Invoke context
            })

    [<CompiledName("Map")>]
    let map (mapping: 'T -> 'U) (flow: ContextTask<'T>) =
        ContextTask(fun context ->
            task {
                let! value = flow.Invoke context
                return mapping value
            })

    [<CompiledName("Zip")>]
    let zip (flow1: ContextTask<'T1>) (flow2: ContextTask<'T2>) =
        bind (fun first -> map (fun second -> first, second) flow2) flow1

    [<CompiledName("Delay")>]
    let delay (generator: unit -> ContextTask<'T>) = ContextTask(fun context -> (generator ()).Invoke context)

    [<CompiledName("TryWith")>]
    let tryWith (handler: exn -> ContextTask<'T>) (flow: ContextTask<'T>) =
        ContextTask(fun context ->
            task {
                try
                    return! flow.Invoke context
                with error ->
                    return! (handler error).Invoke context
            })

    [<CompiledName("TryFinally")>]
    let tryFinally (compensation: unit -> unit) (flow: ContextTask<'T>) =
        ContextTask(fun context ->
            task {
                try
                    return! flow.Invoke context
                finally
                    compensation ()
            })

    [<CompiledName("Using")>]
    let using (resource: 'R when 'R :> IDisposable) (binder: 'R -> ContextTask<'T>) =
        tryFinally (fun () -> if not (isNull (box resource)) then resource.Dispose()) (delay (fun () -> binder resource))

    [<CompiledName("While")>]
    let whileLoop (guard: unit -> bool) (body: ContextTask<unit>) =
        ContextTask(fun context ->
            task {
                while guard () do
                    do! body.Invoke context
            })

    [<CompiledName("ForEach")>]
    let forEach (body: 'T -> ContextTask<unit>) (source: 'T seq) =
        ContextTask(fun context ->
            task {
                for item in source do
                    do! (body item).Invoke context
            })

[<Sealed>]
type ContextTaskBuilder internal () =
    member _.Return value = ContextTask.result value
    member _.ReturnFrom(flow: ContextTask<'T>) = flow
    member _.Bind(flow, binder) = ContextTask.bind binder flow
    member _.BindReturn(flow, mapping) = ContextTask.map mapping flow
    member _.MergeSources(flow1, flow2) = ContextTask.zip flow1 flow2
    member _.Zero() = ContextTask.result ()
    member _.Delay generator = ContextTask.delay generator
    member _.Combine(first: ContextTask<unit>, second) = ContextTask.bind (fun () -> second) first
    member _.TryWith(flow, handler) = ContextTask.tryWith handler flow
    member _.TryFinally(flow, compensation) = ContextTask.tryFinally compensation flow
    member _.Using(resource, binder) = ContextTask.using resource binder
    member _.While(guard, body) = ContextTask.whileLoop guard body
    member _.For(source, body) = ContextTask.forEach body source

[<AutoOpen>]
module ContextTaskBuilderExtensions =
    let private unitTask (awaited: Task) : Task<unit> = task { do! awaited }

    type ContextTaskBuilder with
        member _.Bind(flow: ContextFlow<'T>, binder) = ContextTask.bind binder (ContextTask.ofFlow flow)
        member _.Bind(task: Task<'T>, binder) = ContextTask.bind binder (ContextTask.ofTask (fun () -> task))
        member _.Bind(task: Task, binder) = ContextTask.bind binder (ContextTask.ofTask (fun () -> unitTask task))
        member _.Bind(task: ValueTask<'T>, binder) = ContextTask.bind binder (ContextTask.ofTask task.AsTask)
        member _.Bind(computation: Async<'T>, binder) = ContextTask.bind binder (ContextTask.ofTask (fun () -> Async.StartImmediateAsTask computation))
        member _.BindReturn(flow: ContextFlow<'T>, mapping) = ContextTask.map mapping (ContextTask.ofFlow flow)
        member _.BindReturn(task: Task<'T>, mapping) = ContextTask.map mapping (ContextTask.ofTask (fun () -> task))
        member _.BindReturn(task: Task, mapping) = ContextTask.map mapping (ContextTask.ofTask (fun () -> unitTask task))
        member _.BindReturn(task: ValueTask<'T>, mapping) = ContextTask.map mapping (ContextTask.ofTask task.AsTask)
        member _.BindReturn(computation: Async<'T>, mapping) = ContextTask.map mapping (ContextTask.ofTask (fun () -> Async.StartImmediateAsTask computation))
        member _.ReturnFrom(flow: ContextFlow<'T>) = ContextTask.ofFlow flow
        member _.ReturnFrom(task: Task<'T>) = ContextTask.ofTask (fun () -> task)
        member this.ReturnFrom(task: Task) = this.Bind(task, ContextTask.result)
        member _.ReturnFrom(task: ValueTask<'T>) = ContextTask.ofTask task.AsTask
        member _.ReturnFrom(computation: Async<'T>) = ContextTask.ofTask (fun () -> Async.StartImmediateAsTask computation)

[<AutoOpen>]
module ContextTaskBuilderInstance =
    let contextTask = ContextTaskBuilder()
