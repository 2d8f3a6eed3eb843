namespace DistributedContext

open System
open System.Threading

/// What the ambient slot holds: an immutable context and the innermost open scope of this flow
/// (null outside every scope; typed obj only to break the type cycle with ContextScope). Both are
/// immutable; a change writes a new frame.
[<Sealed; AllowNullLiteral>]
type internal Frame(context: Context, scope: obj) =
    member _.Context = context
    member _.Scope = scope

/// The one AsyncLocal slot. A module value, so reads compile to a plain static field load.
module internal AmbientSlot =
    let slot = AsyncLocal<Frame>()

    /// The current context: O(1), no allocation.
    let inline current () =
        match slot.Value with
        | null -> Context.Empty
        | frame -> frame.Context

    /// Changes the current context in this flow, inside the current scope: one slot read, one write.
    let inline update ([<InlineIfLambda>] change: Context -> Context) =
        let frame = slot.Value
        if isNull frame then slot.Value <- Frame(change Context.Empty, null)
        else slot.Value <- Frame(change frame.Context, frame.Scope)

    /// Replaces the current context in this flow, inside the current scope.
    let set (context: Context) = update (fun _ -> context)

/// <summary>
/// An entered scope. Disposing it puts back, in the flow that entered it, the context it replaced.
/// Dispose scopes innermost first (a <c>use</c>/<c>using</c> block does): disposing an outer scope while an
/// inner one is open throws <c>ContextException(ScopeOrder)</c> after restoring the context from before
/// the outer scope; the inner scopes it skipped, and any scope disposed twice, are then harmless to dispose.
/// </summary>
[<Sealed; AllowNullLiteral>]
type ContextScope internal (previous: Frame, name: string) =
    let parent = if isNull previous then null else previous.Scope :?> ContextScope
    let depth = if isNull parent then 1 else parent.Depth + 1
    let mutable disposed = false

    /// Opens a scope whose context is `context`; the scope remembers the frame it replaced.
    static member internal Enter(context: Context, name: string) =
        let scope = new ContextScope(AmbientSlot.slot.Value, name)
        AmbientSlot.slot.Value <- Frame(context, scope)
        scope

    /// <summary>The scope's name, or null for an unnamed scope.</summary>
    member _.Name = name
    /// <summary>How many scopes are open in this flow, this one included.</summary>
    member _.Depth = depth
    /// <summary>True once the scope has been disposed (or skipped by a misordered dispose).</summary>
    member _.IsDisposed = disposed
    member internal _.Parent : ContextScope = parent
    member internal _.MarkDisposed() = disposed <- true
    member internal _.Describe() =
        if isNull name then $"the unnamed scope at depth {depth}" else $"scope '{name}' (depth {depth})"

    /// <summary>Restores the context this scope replaced.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>ScopeOrder</c> when an inner scope is still open
    /// (the context is then restored to what it was before this scope), or when the scope belongs to
    /// another async flow (nothing is changed).</exception>
    member this.Dispose() =
        let frame = AmbientSlot.slot.Value
        let innermost = if isNull frame then null else frame.Scope :?> ContextScope
        if obj.ReferenceEquals(innermost, this) then
            AmbientSlot.slot.Value <- previous
            disposed <- true
        elif not disposed then
            let rec openInside (inner: ContextScope) acc =
                if isNull inner then None
                elif obj.ReferenceEquals(inner, this) then Some(List.rev acc)
                else openInside inner.Parent (inner :: acc)
            match openInside innermost [] with
            | Some skipped ->
                AmbientSlot.slot.Value <- previous
                disposed <- true
                for inner in skipped do inner.MarkDisposed()
                let names = skipped |> List.map (fun inner -> inner.Describe()) |> String.concat ", "
                raise (ContextException(ContextError.ScopeOrder(
                    $"{this.Describe()} was disposed while {names} inside it was still open; the context is now what it was before {this.Describe()}, and the skipped inner scopes are closed")))
            | None ->
                raise (ContextException(ContextError.ScopeOrder(
                    $"{this.Describe()} is not open in this async flow (it was entered in another flow, or in a child task whose changes never reach this one); nothing was changed")))

    interface IDisposable with
        member this.Dispose() = this.Dispose()

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
    let capture () : Context = AmbientSlot.current ()

    /// <summary>The key's value in the current context, or its default. Allocates nothing.</summary>
    [<CompiledName("Get")>]
    let get (key: ContextKey<'T>) : 'T = (AmbientSlot.current ()).Get key

    /// <summary>The key's value in the current context, when set.</summary>
    [<CompiledName("TryGet")>]
    let tryGet (key: ContextKey<'T>) : 'T option = Context.tryGet key (AmbientSlot.current ())

    /// <summary>Sets the key in the current flow (inside the innermost scope, which undoes it on dispose).</summary>
    [<CompiledName("Set")>]
    let set (key: ContextKey<'T>) (value: 'T) = AmbientSlot.update (fun context -> context.With(key, value))

    /// <summary>Removes the key in the current flow.</summary>
    [<CompiledName("Remove")>]
    let remove (key: ContextKey<'T>) = AmbientSlot.update (fun context -> context.Without key)

    /// <summary>The scope chain of the current context, outermost first.</summary>
    [<CompiledName("ScopeChain")>]
    let scopeChain () = Context.scopeChain (AmbientSlot.current ())

    /// <summary>Opens an unnamed scope: everything set until it is disposed is undone by the dispose.</summary>
    [<CompiledName("EnterScope")>]
    let enterScope () : ContextScope = ContextScope.Enter(AmbientSlot.current (), null)

    /// <summary>Opens a named scope: the name joins the scope chain until the scope is disposed.</summary>
    /// <exception cref="T:System.ArgumentNullException">When the name is null.</exception>
    [<CompiledName("EnterNamedScope")>]
    let enterNamedScope (name: string) : ContextScope =
        if isNull name then nullArg (nameof name)
        ContextScope.Enter((AmbientSlot.current ()).EnterScope name, name)

    /// <summary>Makes a context current, exactly as given (it replaces, never merges), until the
    /// returned scope is disposed.</summary>
    [<CompiledName("Attach")>]
    let attach (context: Context) : ContextScope =
        if isNull (box context) then nullArg (nameof context)
        ContextScope.Enter(context, null)

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
    let scope (body: unit -> 'T) : 'T = run (AmbientSlot.current ()) body

    /// <summary>Runs Task-returning code in an unnamed scope.</summary>
    [<CompiledName("ScopeTask")>]
    let scopeTask (body: unit -> #System.Threading.Tasks.Task) = runTask (AmbientSlot.current ()) body

    /// <summary>Captures the current context now and returns a function that runs <paramref name="body"/>
    /// under it, wherever and whenever it is called (a third-party callback, a work item queued
    /// without flow).</summary>
    [<CompiledName("Wrap")>]
    let wrap (body: unit -> 'T) : unit -> 'T =
        let captured = AmbientSlot.current ()
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
        let captured = AmbientSlot.current ()
        System.Threading.Tasks.Task.Run<'T>(fun () -> runTask captured body)

    /// <summary>The binary form of the current context (see <c>Context.Serialize</c>).</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>SerializationFailed</c> or <c>ContextTooLarge</c>.</exception>
    [<CompiledName("Serialize")>]
    let serialize () : byte[] = (AmbientSlot.current ()).Serialize()

    /// <summary>The string form of the current context (base64url, header-safe).</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>SerializationFailed</c> or <c>ContextTooLarge</c>.</exception>
    [<CompiledName("SerializeToString")>]
    let serializeToString () : string = (AmbientSlot.current ()).SerializeToString()

    /// <summary>Opens a scope in which the decoded context is laid over the current one: its values
    /// win, and its scope chain comes first, followed by the local one.</summary>
    [<CompiledName("EnterDecoded")>]
    let enterDecoded (decoded: Context) : ContextScope =
        ContextScope.Enter(decoded.LayeredOver(AmbientSlot.current ()), null)

    /// <summary>Decodes the binary form and enters a scope with it laid over the current context.
    /// An empty input decodes to no entries.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>DeserializationFailed</c> or <c>ContextTooLarge</c>; nothing is entered then.</exception>
    [<CompiledName("Deserialize")>]
    let deserialize (bytes: ReadOnlySpan<byte>) : ContextScope = enterDecoded (Context.Deserialize bytes)

    /// <summary>Decodes the string form and enters a scope with it laid over the current context.
    /// Null or empty decodes to no entries.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>DeserializationFailed</c> or <c>ContextTooLarge</c>; nothing is entered then.</exception>
    [<CompiledName("DeserializeFromString")>]
    let deserializeFromString (encoded: string) : ContextScope = enterDecoded (Context.DeserializeFromString encoded)

    /// <summary>Writes the current context into a carrier (HTTP headers, gRPC metadata, message
    /// headers) under the header <c>dcontext</c>; writes nothing when there is nothing to carry.</summary>
    [<CompiledName("Inject")>]
    let inject (carrier: 'Carrier) (setter: 'Carrier -> string -> string -> unit) =
        let encoded = serializeToString ()
        if encoded.Length > 0 then setter carrier Envelope.HeaderName encoded

    /// <summary>Reads the header <c>dcontext</c> from a carrier and enters a scope with the decoded
    /// context laid over the current one; a missing header enters a scope with nothing decoded.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>DeserializationFailed</c> or <c>ContextTooLarge</c>.</exception>
    [<CompiledName("Extract")>]
    let extract (carrier: 'Carrier) (getter: 'Carrier -> string -> string) : ContextScope =
        deserializeFromString (getter carrier Envelope.HeaderName)
