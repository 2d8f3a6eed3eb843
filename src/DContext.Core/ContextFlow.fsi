namespace DistributedContext

open System.Collections.Generic

/// <summary>
/// A computation that reads a <see cref="T:DistributedContext.Context"/>: a reader. It is cold — it runs only in
/// <c>ContextFlow.run</c> — and pure: it cannot change its caller's context, only run a part of itself
/// under a changed one (<c>ContextFlow.local</c>, the pure scope). Build one with <c>contextFlow { ... }</c>.
/// </summary>
[<Sealed>]
type ContextFlow<'T>

/// <summary>Functions that build, combine and run context flows.</summary>
[<RequireQualifiedAccess>]
module ContextFlow =

    /// <summary>Runs a flow on a context.</summary>
    [<CompiledName("Run")>]
    val run: context: Context -> flow: ContextFlow<'T> -> 'T

    /// <summary>Runs a flow on the current ambient context (what <c>DContext.Capture()</c> returns).</summary>
    [<CompiledName("RunAmbient")>]
    val runAmbient: flow: ContextFlow<'T> -> 'T

    /// <summary>A flow that returns a value and reads nothing.</summary>
    [<CompiledName("Return")>]
    val result: value: 'T -> ContextFlow<'T>

    /// <summary>A flow that returns the whole context.</summary>
    [<CompiledName("Ask")>]
    val ask: ContextFlow<Context>

    /// <summary>A flow that computes a value from the context.</summary>
    [<CompiledName("Reader")>]
    val reader: reader: (Context -> 'T) -> ContextFlow<'T>

    /// <summary>A flow that returns a key's value, or the key's default.</summary>
    [<CompiledName("Get")>]
    val get: key: ContextKey<'T> -> ContextFlow<'T>

    /// <summary>A flow that returns a key's value when it is set.</summary>
    [<CompiledName("TryGet")>]
    val tryGet: key: ContextKey<'T> -> ContextFlow<'T option>

    /// <summary>A flow that returns the scope chain, outermost first.</summary>
    [<CompiledName("ScopeChain")>]
    val scopeChain: ContextFlow<string list>

    /// <summary>Runs <paramref name="flow"/> under the context <paramref name="change"/> makes of the current one:
    /// the pure scope. What follows in the enclosing flow sees the unchanged context.</summary>
    [<CompiledName("Local")>]
    val local: change: (Context -> Context) -> flow: ContextFlow<'T> -> ContextFlow<'T>

    /// <summary>Runs <paramref name="flow"/> with the key set to the value (<c>local (Context.set key value)</c>).</summary>
    [<CompiledName("WithValue")>]
    val withValue: key: ContextKey<'V> -> value: 'V -> flow: ContextFlow<'T> -> ContextFlow<'T>

    /// <summary>Runs <paramref name="flow"/> one named scope deeper (<c>local (Context.enterScope name)</c>).</summary>
    [<CompiledName("WithScope")>]
    val withScope: name: string -> flow: ContextFlow<'T> -> ContextFlow<'T>

    /// <summary>Calls impure code with the flow's context installed as the ambient one, so that the
    /// libraries it calls (<c>DContext.Get</c> from C#) see the same values. Ambient changes the code
    /// makes are rolled back when it returns.</summary>
    [<CompiledName("WithAmbient")>]
    val withAmbient: body: (unit -> 'T) -> ContextFlow<'T>

    /// <summary>Transforms the result of a flow.</summary>
    [<CompiledName("Map")>]
    val map: mapping: ('T -> 'U) -> flow: ContextFlow<'T> -> ContextFlow<'U>

    /// <summary>Combines the results of two flows run on the same context.</summary>
    [<CompiledName("Map2")>]
    val map2: mapping: ('T1 -> 'T2 -> 'U) -> flow1: ContextFlow<'T1> -> flow2: ContextFlow<'T2> -> ContextFlow<'U>

    /// <summary>Pairs the results of two flows run on the same context.</summary>
    [<CompiledName("Zip")>]
    val zip: flow1: ContextFlow<'T1> -> flow2: ContextFlow<'T2> -> ContextFlow<'T1 * 'T2>

    /// <summary>Runs a flow, then the flow <paramref name="binder"/> makes of its result, on the same context.</summary>
    [<CompiledName("Bind")>]
    val bind: binder: ('T -> ContextFlow<'U>) -> flow: ContextFlow<'T> -> ContextFlow<'U>

    /// <summary>Runs the flows in order and collects their results.</summary>
    [<CompiledName("Sequence")>]
    val sequence: flows: ContextFlow<'T> seq -> ContextFlow<'T list>

    /// <summary>A flow built only when it runs.</summary>
    [<CompiledName("Delay")>]
    val delay: generator: (unit -> ContextFlow<'T>) -> ContextFlow<'T>

    /// <summary>Runs <paramref name="flow"/>; on an exception, runs the flow the handler makes of it.</summary>
    [<CompiledName("TryWith")>]
    val tryWith: handler: (exn -> ContextFlow<'T>) -> flow: ContextFlow<'T> -> ContextFlow<'T>

    /// <summary>Runs <paramref name="flow"/>, then <paramref name="compensation"/> whatever happens.</summary>
    [<CompiledName("TryFinally")>]
    val tryFinally: compensation: (unit -> unit) -> flow: ContextFlow<'T> -> ContextFlow<'T>

    /// <summary>Runs the flow <paramref name="binder"/> makes of a resource, then disposes it.</summary>
    [<CompiledName("Using")>]
    val using: resource: 'R -> binder: ('R -> ContextFlow<'T>) -> ContextFlow<'T> when 'R :> System.IDisposable

    /// <summary>Runs <paramref name="body"/> while <paramref name="guard"/> holds.</summary>
    [<CompiledName("While")>]
    val whileLoop: guard: (unit -> bool) -> body: ContextFlow<unit> -> ContextFlow<unit>

    /// <summary>Runs the flow <paramref name="body"/> makes of each element, in order.</summary>
    [<CompiledName("ForEach")>]
    val forEach: body: ('T -> ContextFlow<unit>) -> source: 'T seq -> ContextFlow<unit>

/// <summary>The builder of <c>contextFlow { ... }</c>. Each member is one call into <c>ContextFlow</c>.</summary>
[<Sealed>]
type ContextFlowBuilder =
    internal new: unit -> ContextFlowBuilder
    member Return: value: 'T -> ContextFlow<'T>
    member ReturnFrom: flow: ContextFlow<'T> -> ContextFlow<'T>
    member Bind: flow: ContextFlow<'T> * binder: ('T -> ContextFlow<'U>) -> ContextFlow<'U>
    member BindReturn: flow: ContextFlow<'T> * mapping: ('T -> 'U) -> ContextFlow<'U>
    member MergeSources: flow1: ContextFlow<'T1> * flow2: ContextFlow<'T2> -> ContextFlow<'T1 * 'T2>
    member Zero: unit -> ContextFlow<unit>
    member Delay: generator: (unit -> ContextFlow<'T>) -> ContextFlow<'T>
    member Combine: first: ContextFlow<unit> * second: ContextFlow<'T> -> ContextFlow<'T>
    member TryWith: flow: ContextFlow<'T> * handler: (exn -> ContextFlow<'T>) -> ContextFlow<'T>
    member TryFinally: flow: ContextFlow<'T> * compensation: (unit -> unit) -> ContextFlow<'T>
    member Using: resource: 'R * binder: ('R -> ContextFlow<'T>) -> ContextFlow<'T> when 'R :> System.IDisposable
    member While: guard: (unit -> bool) * body: ContextFlow<unit> -> ContextFlow<unit>
    member For: source: 'T seq * body: ('T -> ContextFlow<unit>) -> ContextFlow<unit>

/// <summary>The <c>contextFlow</c> builder.</summary>
[<AutoOpen>]
module ContextFlowBuilderInstance =
    /// <summary>Builds a <see cref="T:DistributedContext.ContextFlow`1"/>: <c>contextFlow { let! id = ContextFlow.get requestId in ... }</c>.</summary>
    val contextFlow: ContextFlowBuilder
