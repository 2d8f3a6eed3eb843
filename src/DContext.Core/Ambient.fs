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
