namespace DistributedContext

open System
open System.Threading

/// What the ambient slot holds: an immutable context and the innermost open scope of this flow
/// (null outside every scope). Both are immutable; a change writes a new frame.
[<Sealed; AllowNullLiteral>]
type internal Frame(context: Context, scope: ContextScope) =
    member _.Context = context
    member _.Scope = scope

/// <summary>
/// An entered scope. Disposing it puts back, in the flow that entered it, the context it replaced.
/// Dispose scopes innermost first (a <c>use</c>/<c>using</c> block does): disposing an outer scope while an
/// inner one is open throws <c>ContextException(ScopeOrder)</c> after restoring the context from before
/// the outer scope; the inner scopes it skipped, and any scope disposed twice, are then harmless to dispose.
/// </summary>
and [<Sealed; AllowNullLiteral>] ContextScope internal (previous: Frame, name: string) =
    let depth = if isNull previous || isNull previous.Scope then 1 else previous.Scope.Depth + 1
    let mutable disposed = false

    /// <summary>The scope's name, or null for an unnamed scope.</summary>
    member _.Name = name
    /// <summary>How many scopes are open in this flow, this one included.</summary>
    member _.Depth = depth
    /// <summary>True once the scope has been disposed (or skipped by a misordered dispose).</summary>
    member _.IsDisposed = disposed
    /// The raw slot value to put back (null at the root, so pool threads keep nothing).
    member internal _.Previous = previous
    member internal _.Parent = if isNull previous then null else previous.Scope
    member internal _.MarkDisposed() = disposed <- true
    member internal _.Describe() =
        if isNull name then $"the unnamed scope at depth {depth}" else $"scope '{name}' (depth {depth})"

    /// <summary>Restores the context this scope replaced.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>ScopeOrder</c> when an inner scope is still open
    /// (the context is then restored to what it was before this scope), or when the scope belongs to
    /// another async flow (nothing is changed).</exception>
    member this.Dispose() = AmbientSlot.Exit this

    interface IDisposable with
        member this.Dispose() = this.Dispose()

/// The one AsyncLocal slot, and the pure push/pop of frames on it.
and [<AbstractClass; Sealed>] internal AmbientSlot private () =
    static let slot = AsyncLocal<Frame>()

    /// The current context: O(1), no allocation.
    static member Current =
        match slot.Value with
        | null -> Context.Empty
        | frame -> frame.Context

    /// Replaces the current context in this flow, inside the current scope.
    static member Set(context: Context) =
        let frame = slot.Value
        slot.Value <- Frame(context, (if isNull frame then null else frame.Scope))

    /// Opens a scope whose context is `context`; the scope remembers the frame it replaced.
    static member Enter(context: Context, name: string) =
        let scope = new ContextScope(slot.Value, name)
        slot.Value <- Frame(context, scope)
        scope

    static member Exit(scope: ContextScope) =
        let frame = slot.Value
        let innermost = if isNull frame then null else frame.Scope
        if obj.ReferenceEquals(innermost, scope) then
            slot.Value <- scope.Previous
            scope.MarkDisposed()
        elif scope.IsDisposed then
            ()
        else
            let rec openInside (inner: ContextScope) acc =
                if isNull inner then None
                elif obj.ReferenceEquals(inner, scope) then Some(List.rev acc)
                else openInside inner.Parent (inner :: acc)
            match openInside innermost [] with
            | Some skipped ->
                slot.Value <- scope.Previous
                scope.MarkDisposed()
                for inner in skipped do inner.MarkDisposed()
                let names = skipped |> List.map (fun inner -> inner.Describe()) |> String.concat ", "
                raise (ContextException(ContextError.ScopeOrder(
                    $"{scope.Describe()} was disposed while {names} inside it was still open; the context is now what it was before {scope.Describe()}, and the skipped inner scopes are closed")))
            | None ->
                raise (ContextException(ContextError.ScopeOrder(
                    $"{scope.Describe()} is not open in this async flow (it was entered in another flow, or in a child task whose changes never reach this one); nothing was changed")))

/// <summary>
/// The ambient context: one <c>AsyncLocal</c> slot holding the current immutable
/// <see cref="T:DistributedContext.Context"/>. .NET flows it across <c>await</c>, <c>Task.Run</c>, the thread pool and
/// new threads; <c>wrap</c>, <c>run</c>, <c>spawn</c> and <c>startThread</c> carry it where .NET does not
/// (<c>ExecutionContext.SuppressFlow</c>, <c>UnsafeQueueUserWorkItem</c>, foreign callbacks).
/// Writes affect only the current async flow and the flows it starts afterwards.
/// </summary>
[<RequireQualifiedAccess>]
module Ambient =

    /// <summary>The current context: O(1), allocates nothing. It never changes afterwards.</summary>
    [<CompiledName("Capture")>]
    let capture () : Context = AmbientSlot.Current

    /// <summary>The key's value in the current context, or its default. Allocates nothing.</summary>
    [<CompiledName("Get")>]
    let get (key: ContextKey<'T>) : 'T = AmbientSlot.Current.Get key

    /// <summary>The key's value in the current context, when set.</summary>
    [<CompiledName("TryGet")>]
    let tryGet (key: ContextKey<'T>) : 'T option = Context.tryGet key AmbientSlot.Current

    /// <summary>Sets the key in the current flow (inside the innermost scope, which undoes it on dispose).</summary>
    [<CompiledName("Set")>]
    let set (key: ContextKey<'T>) (value: 'T) = AmbientSlot.Set(AmbientSlot.Current.With(key, value))

    /// <summary>Removes the key in the current flow.</summary>
    [<CompiledName("Remove")>]
    let remove (key: ContextKey<'T>) = AmbientSlot.Set(AmbientSlot.Current.Without key)

    /// <summary>The scope chain of the current context, outermost first.</summary>
    [<CompiledName("ScopeChain")>]
    let scopeChain () = Context.scopeChain AmbientSlot.Current

    /// <summary>Opens an unnamed scope: everything set until it is disposed is undone by the dispose.</summary>
    [<CompiledName("EnterScope")>]
    let enterScope () : ContextScope = AmbientSlot.Enter(AmbientSlot.Current, null)

    /// <summary>Opens a named scope: the name joins the scope chain until the scope is disposed.</summary>
    /// <exception cref="T:System.ArgumentNullException">When the name is null.</exception>
    [<CompiledName("EnterNamedScope")>]
    let enterNamedScope (name: string) : ContextScope =
        if isNull name then nullArg (nameof name)
        AmbientSlot.Enter(AmbientSlot.Current.EnterScope name, name)

    /// <summary>Makes a context current, exactly as given (it replaces, never merges), until the
    /// returned scope is disposed.</summary>
    [<CompiledName("Attach")>]
    let attach (context: Context) : ContextScope =
        if isNull (box context) then nullArg (nameof context)
        AmbientSlot.Enter(context, null)

    /// <summary>Runs code with a context current, then restores the one before.</summary>
    [<CompiledName("Run")>]
    let run (context: Context) (body: unit -> 'T) : 'T =
        let scope = attach context
        try body () finally scope.Dispose()

    /// <summary>Starts Task-returning code with a context current; its continuations keep that
    /// context, and the caller's is restored as soon as the code returns its task.</summary>
    [<CompiledName("RunTask")>]
    let runTask (context: Context) (body: unit -> #System.Threading.Tasks.Task) =
        let scope = attach context
        try body () finally scope.Dispose()

    /// <summary>Runs code in an unnamed scope: what it sets is undone when it returns or throws.</summary>
    [<CompiledName("Scope")>]
    let scope (body: unit -> 'T) : 'T = run AmbientSlot.Current body

    /// <summary>Runs Task-returning code in an unnamed scope.</summary>
    [<CompiledName("ScopeTask")>]
    let scopeTask (body: unit -> #System.Threading.Tasks.Task) = runTask AmbientSlot.Current body

    /// <summary>Captures the current context now and returns a function that runs <paramref name="body"/>
    /// under it, wherever and whenever it is called (a third-party callback, a work item queued
    /// without flow).</summary>
    [<CompiledName("Wrap")>]
    let wrap (body: unit -> 'T) : unit -> 'T =
        let captured = AmbientSlot.Current
        fun () -> run captured body

    /// <summary>Starts a thread that runs <paramref name="body"/> under the current context, even when
    /// execution-context flow is suppressed.</summary>
    [<CompiledName("StartThread")>]
    let startThread (name: string) (body: unit -> unit) : Thread =
        let wrapped = wrap body
        let thread = Thread(wrapped)
        if not (isNull name) then thread.Name <- name
        thread.IsBackground <- true
        thread.Start()
        thread

    /// <summary>Queues Task-returning work on the thread pool under the current context, even when
    /// execution-context flow is suppressed.</summary>
    [<CompiledName("Spawn")>]
    let spawn (body: unit -> System.Threading.Tasks.Task<'T>) : System.Threading.Tasks.Task<'T> =
        let captured = AmbientSlot.Current
        System.Threading.Tasks.Task.Run<'T>(fun () -> runTask captured body)
