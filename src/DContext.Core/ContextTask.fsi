namespace DistributedContext

open System
open System.Threading.Tasks

/// <summary>
/// A Task-based computation that reads a <see cref="T:DistributedContext.Context"/>: the asynchronous twin of
/// <see cref="T:DistributedContext.ContextFlow`1"/>. Cold: nothing starts before <c>ContextTask.run</c>.
/// Exceptions and cancellation pass through unchanged. Build one with <c>contextTask { ... }</c>.
/// </summary>
[<Sealed>]
type ContextTask<'T>

/// <summary>Functions that build, combine and run Task-based context flows.</summary>
[<RequireQualifiedAccess>]
module ContextTask =

    /// <summary>Starts a flow on a context.</summary>
    [<CompiledName("Run")>]
    val run: context: Context -> flow: ContextTask<'T> -> Task<'T>

    /// <summary>Starts a flow on the current ambient context.</summary>
    [<CompiledName("RunAmbient")>]
    val runAmbient: flow: ContextTask<'T> -> Task<'T>

    /// <summary>A flow that returns a value.</summary>
    [<CompiledName("Return")>]
    val result: value: 'T -> ContextTask<'T>

    /// <summary>A flow that returns the whole context.</summary>
    [<CompiledName("Ask")>]
    val ask: ContextTask<Context>

    /// <summary>A flow that returns a key's value, or the key's default.</summary>
    [<CompiledName("Get")>]
    val get: key: ContextKey<'T> -> ContextTask<'T>

    /// <summary>A flow that returns a key's value when it is set.</summary>
    [<CompiledName("TryGet")>]
    val tryGet: key: ContextKey<'T> -> ContextTask<'T option>

    /// <summary>Runs <paramref name="flow"/> under a changed context: the pure scope.</summary>
    [<CompiledName("Local")>]
    val local: change: (Context -> Context) -> flow: ContextTask<'T> -> ContextTask<'T>

    /// <summary>Runs <paramref name="flow"/> with the key set to the value.</summary>
    [<CompiledName("WithValue")>]
    val withValue: key: ContextKey<'V> -> value: 'V -> flow: ContextTask<'T> -> ContextTask<'T>

    /// <summary>Runs <paramref name="flow"/> one named scope deeper.</summary>
    [<CompiledName("WithScope")>]
    val withScope: name: string -> flow: ContextTask<'T> -> ContextTask<'T>

    /// <summary>Starts Task-returning impure code with the flow's context installed as the ambient one
    /// (the code's continuations keep it); the caller's ambient context is untouched.</summary>
    [<CompiledName("WithAmbient")>]
    val withAmbient: body: (unit -> Task<'T>) -> ContextTask<'T>

    /// <summary>A flow of a synchronous context flow.</summary>
    [<CompiledName("OfFlow")>]
    val ofFlow: flow: ContextFlow<'T> -> ContextTask<'T>

    /// <summary>A flow that awaits a task made when it runs.</summary>
    [<CompiledName("OfTask")>]
    val ofTask: start: (unit -> Task<'T>) -> ContextTask<'T>

    /// <summary>Transforms the result of a flow.</summary>
    [<CompiledName("Map")>]
    val map: mapping: ('T -> 'U) -> flow: ContextTask<'T> -> ContextTask<'U>

    /// <summary>Runs both flows on the same context, one after the other, and pairs their results.</summary>
    [<CompiledName("Zip")>]
    val zip: flow1: ContextTask<'T1> -> flow2: ContextTask<'T2> -> ContextTask<'T1 * 'T2>

    /// <summary>Runs a flow, then the flow <paramref name="binder"/> makes of its result.</summary>
    [<CompiledName("Bind")>]
    val bind: binder: ('T -> ContextTask<'U>) -> flow: ContextTask<'T> -> ContextTask<'U>

    /// <summary>A flow built only when it runs.</summary>
    [<CompiledName("Delay")>]
    val delay: generator: (unit -> ContextTask<'T>) -> ContextTask<'T>

    /// <summary>Runs <paramref name="flow"/>; on an exception, runs the flow the handler makes of it.</summary>
    [<CompiledName("TryWith")>]
    val tryWith: handler: (exn -> ContextTask<'T>) -> flow: ContextTask<'T> -> ContextTask<'T>

    /// <summary>Runs <paramref name="flow"/>, then <paramref name="compensation"/> whatever happens.</summary>
    [<CompiledName("TryFinally")>]
    val tryFinally: compensation: (unit -> unit) -> flow: ContextTask<'T> -> ContextTask<'T>

    /// <summary>Runs the flow <paramref name="binder"/> makes of a resource, then disposes it.</summary>
    [<CompiledName("Using")>]
    val using: resource: 'R -> binder: ('R -> ContextTask<'T>) -> ContextTask<'T> when 'R :> IDisposable

    /// <summary>Runs <paramref name="body"/> while <paramref name="guard"/> holds.</summary>
    [<CompiledName("While")>]
    val whileLoop: guard: (unit -> bool) -> body: ContextTask<unit> -> ContextTask<unit>

    /// <summary>Runs the flow <paramref name="body"/> makes of each element, in order.</summary>
    [<CompiledName("ForEach")>]
    val forEach: body: ('T -> ContextTask<unit>) -> source: 'T seq -> ContextTask<unit>

/// <summary>The builder of <c>contextTask { ... }</c>. Each member is one call into <c>ContextTask</c>.</summary>
[<Sealed>]
type ContextTaskBuilder =
    internal new: unit -> ContextTaskBuilder
    member Return: value: 'T -> ContextTask<'T>
    member ReturnFrom: flow: ContextTask<'T> -> ContextTask<'T>
    member Bind: flow: ContextTask<'T> * binder: ('T -> ContextTask<'U>) -> ContextTask<'U>
    member BindReturn: flow: ContextTask<'T> * mapping: ('T -> 'U) -> ContextTask<'U>
    member MergeSources: flow1: ContextTask<'T1> * flow2: ContextTask<'T2> -> ContextTask<'T1 * 'T2>
    member Zero: unit -> ContextTask<unit>
    member Delay: generator: (unit -> ContextTask<'T>) -> ContextTask<'T>
    member Combine: first: ContextTask<unit> * second: ContextTask<'T> -> ContextTask<'T>
    member TryWith: flow: ContextTask<'T> * handler: (exn -> ContextTask<'T>) -> ContextTask<'T>
    member TryFinally: flow: ContextTask<'T> * compensation: (unit -> unit) -> ContextTask<'T>
    member Using: resource: 'R * binder: ('R -> ContextTask<'T>) -> ContextTask<'T> when 'R :> IDisposable
    member While: guard: (unit -> bool) * body: ContextTask<unit> -> ContextTask<unit>
    member For: source: 'T seq * body: ('T -> ContextTask<unit>) -> ContextTask<unit>

/// <summary>More sources for <c>let!</c>/<c>do!</c>/<c>return!</c> in <c>contextTask</c>: context flows,
/// tasks, value tasks and F# async. Extension members, so overload resolution stays predictable.</summary>
[<AutoOpen>]
module ContextTaskBuilderExtensions =
    type ContextTaskBuilder with
        /// <summary>Binds a synchronous context flow.</summary>
        member Bind: flow: ContextFlow<'T> * binder: ('T -> ContextTask<'U>) -> ContextTask<'U>
        /// <summary>Awaits a task.</summary>
        member Bind: task: Task<'T> * binder: ('T -> ContextTask<'U>) -> ContextTask<'U>
        /// <summary>Awaits a task.</summary>
        member Bind: task: Task * binder: (unit -> ContextTask<'U>) -> ContextTask<'U>
        /// <summary>Awaits a value task.</summary>
        member Bind: task: ValueTask<'T> * binder: ('T -> ContextTask<'U>) -> ContextTask<'U>
        /// <summary>Awaits an F# async.</summary>
        member Bind: computation: Async<'T> * binder: ('T -> ContextTask<'U>) -> ContextTask<'U>
        /// <summary>Maps a synchronous context flow's result.</summary>
        member BindReturn: flow: ContextFlow<'T> * mapping: ('T -> 'U) -> ContextTask<'U>
        /// <summary>Maps a task's result.</summary>
        member BindReturn: task: Task<'T> * mapping: ('T -> 'U) -> ContextTask<'U>
        /// <summary>Awaits a task, then maps.</summary>
        member BindReturn: task: Task * mapping: (unit -> 'U) -> ContextTask<'U>
        /// <summary>Maps a value task's result.</summary>
        member BindReturn: task: ValueTask<'T> * mapping: ('T -> 'U) -> ContextTask<'U>
        /// <summary>Maps an F# async's result.</summary>
        member BindReturn: computation: Async<'T> * mapping: ('T -> 'U) -> ContextTask<'U>
        /// <summary>Returns a synchronous context flow's result.</summary>
        member ReturnFrom: flow: ContextFlow<'T> -> ContextTask<'T>
        /// <summary>Returns a task's result.</summary>
        member ReturnFrom: task: Task<'T> -> ContextTask<'T>
        /// <summary>Awaits a task.</summary>
        member ReturnFrom: task: Task -> ContextTask<unit>
        /// <summary>Returns a value task's result.</summary>
        member ReturnFrom: task: ValueTask<'T> -> ContextTask<'T>
        /// <summary>Returns an F# async's result.</summary>
        member ReturnFrom: computation: Async<'T> -> ContextTask<'T>

/// <summary>The <c>contextTask</c> builder.</summary>
[<AutoOpen>]
module ContextTaskBuilderInstance =
    /// <summary>Builds a <see cref="T:DistributedContext.ContextTask`1"/>: <c>contextTask { let! id = ContextTask.get requestId in ... }</c>.</summary>
    val contextTask: ContextTaskBuilder
