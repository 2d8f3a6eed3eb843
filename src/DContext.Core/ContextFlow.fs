namespace DistributedContext

open System.Collections.Generic

[<Sealed>]
type ContextFlow<'T> internal (run: Context -> 'T) =
    member internal _.Invoke context = run context

[<RequireQualifiedAccess>]
module ContextFlow =

    [<CompiledName("Run")>]
    let run (context: Context) (flow: ContextFlow<'T>) = flow.Invoke context

    [<CompiledName("RunAmbient")>]
    let runAmbient (flow: ContextFlow<'T>) = flow.Invoke(AmbientSlot.current ())

    [<CompiledName("Return")>]
    let result (value: 'T) = ContextFlow(fun _ -> value)

    [<CompiledName("Ask")>]
    let ask = ContextFlow id

    [<CompiledName("Reader")>]
    let reader (reader: Context -> 'T) = ContextFlow reader

    [<CompiledName("Get")>]
    let get (key: ContextKey<'T>) : ContextFlow<'T> =
        match key.FlowCache with
        | :? ContextFlow<'T> as flow -> flow
        | _ ->
            let flow = ContextFlow(fun context -> context.Get key)
            key.FlowCache <- flow
            flow

    [<CompiledName("TryGet")>]
    let tryGet (key: ContextKey<'T>) = ContextFlow(Context.tryGet key)

    [<CompiledName("ScopeChain")>]
    let scopeChain = ContextFlow Context.scopeChain

    [<CompiledName("Local")>]
    let local (change: Context -> Context) (flow: ContextFlow<'T>) = ContextFlow(fun context -> flow.Invoke(change context))

    [<CompiledName("WithValue")>]
    let withValue (key: ContextKey<'V>) (value: 'V) flow = local (Context.set key value) flow

    [<CompiledName("WithScope")>]
    let withScope (name: string) flow = local (Context.enterScope name) flow

    [<CompiledName("WithAmbient")>]
    let withAmbient (body: unit -> 'T) =
        ContextFlow(fun context ->
            let scope = ContextScope.Enter(context, null)
            try body () finally scope.Dispose())

    [<CompiledName("Map")>]
    let map (mapping: 'T -> 'U) (flow: ContextFlow<'T>) = ContextFlow(fun context -> mapping (flow.Invoke context))

    [<CompiledName("Map2")>]
    let map2 (mapping: 'T1 -> 'T2 -> 'U) (flow1: ContextFlow<'T1>) (flow2: ContextFlow<'T2>) =
        ContextFlow(fun context -> mapping (flow1.Invoke context) (flow2.Invoke context))

    [<CompiledName("Zip")>]
    let zip flow1 flow2 = map2 (fun a b -> a, b) flow1 flow2

    [<CompiledName("Bind")>]
    let bind (binder: 'T -> ContextFlow<'U>) (flow: ContextFlow<'T>) =
        ContextFlow(fun context -> (binder (flow.Invoke context)).Invoke context)

    [<CompiledName("Sequence")>]
    let sequence (flows: ContextFlow<'T> seq) =
        let flows = Seq.toArray flows
        ContextFlow(fun context -> [ for flow in flows -> flow.Invoke context ])

    [<CompiledName("Delay")>]
    let delay (generator: unit -> ContextFlow<'T>) = ContextFlow(fun context -> (generator ()).Invoke context)

    [<CompiledName("TryWith")>]
    let tryWith (handler: exn -> ContextFlow<'T>) (flow: ContextFlow<'T>) =
        ContextFlow(fun context -> try flow.Invoke context with error -> (handler error).Invoke context)

    [<CompiledName("TryFinally")>]
    let tryFinally (compensation: unit -> unit) (flow: ContextFlow<'T>) =
        ContextFlow(fun context -> try flow.Invoke context finally compensation ())

    [<CompiledName("Using")>]
    let using (resource: 'R when 'R :> System.IDisposable) (binder: 'R -> ContextFlow<'T>) =
        tryFinally (fun () -> if not (isNull (box resource)) then resource.Dispose()) (delay (fun () -> binder resource))

    [<CompiledName("While")>]
    let whileLoop (guard: unit -> bool) (body: ContextFlow<unit>) =
        ContextFlow(fun context -> while guard () do body.Invoke context)

    [<CompiledName("ForEach")>]
    let forEach (body: 'T -> ContextFlow<unit>) (source: 'T seq) =
        ContextFlow(fun context -> for item in source do (body item).Invoke context)

[<Sealed>]
type ContextFlowBuilder internal () =
    member _.Return value = ContextFlow.result value
    member _.ReturnFrom(flow: ContextFlow<'T>) = flow
    member _.Bind(flow, binder) = ContextFlow.bind binder flow
    member _.BindReturn(flow, mapping) = ContextFlow.map mapping flow
    member _.MergeSources(flow1, flow2) = ContextFlow.zip flow1 flow2
    member _.Zero() = ContextFlow.result ()
    member _.Delay generator = ContextFlow.delay generator
    member _.Combine(first: ContextFlow<unit>, second) = ContextFlow.bind (fun () -> second) first
    member _.TryWith(flow, handler) = ContextFlow.tryWith handler flow
    member _.TryFinally(flow, compensation) = ContextFlow.tryFinally compensation flow
    member _.Using(resource, binder) = ContextFlow.using resource binder
    member _.While(guard, body) = ContextFlow.whileLoop guard body
    member _.For(source, body) = ContextFlow.forEach body source

[<AutoOpen>]
module ContextFlowBuilderInstance =
    let contextFlow = ContextFlowBuilder()
