namespace DistributedContext

open System
open System.Collections.Generic
open System.Diagnostics
open System.Diagnostics.CodeAnalysis
open System.Runtime.CompilerServices
open System.Runtime.InteropServices

/// <summary>
/// An immutable context: a persistent map from registered keys to values, plus the chain of named
/// scopes it was built under. Every change returns a new context and leaves this one as it was, so
/// a captured context never changes. Reads are O(log32 id) — two array steps for the first 1024 keys,
/// whatever the scope depth — and allocate nothing; a write copies one short path.
/// </summary>
[<Sealed>]
[<DebuggerDisplay("{ToString(),nq}"); DebuggerTypeProxy(typeof<ContextDebugView>)>]
type Context internal (entries: IntMap, scopes: string list, depth: int, opaque: OpaqueEntry list) =
    static let empty = Context(IntMap.empty, [], 0, [])

    member internal _.Map = entries
    /// Innermost scope first.
    member internal _.Scopes = scopes
    member internal _.ScopeDepth = depth
    member internal _.Opaque = opaque

    /// <summary>The context with no entries and no scopes.</summary>
    static member Empty = empty

    /// <summary>How many entries a read can see (entries kept opaque for forward compatibility are not counted). O(1).</summary>
    member _.Count = entries.Count

    /// <summary>True when no entry is set. O(1).</summary>
    member _.IsEmpty = entries.Count = 0

    /// <summary>The names of the scopes this context was built under, outermost first.</summary>
    member _.ScopeChain : IReadOnlyList<string> = List.toArray (List.rev scopes) :> _

    /// A stored value as 'T. The key's type guarantees what was stored, so reference types skip the
    /// cast check (a generic-dictionary lookup in shared code); value types unbox.
    static member inline internal Cast<'T>(value: obj) : 'T =
        if typeof<'T>.IsValueType then unbox<'T> value
        else
            let mutable reference = value
            Unsafe.As<obj, 'T>(&reference)

    /// <summary>The value of a key, or the key's default when it is not set. O(log32 id), no allocation.</summary>
    member _.Get(key: ContextKey<'T>) : 'T =
        let mutable value = null
        if IntMap.tryFind key.Id entries &value then Context.Cast<'T> value else key.Default

    /// <summary>The value of a key when it is set.</summary>
    member _.TryGet(key: ContextKey<'T>, [<Out; MaybeNullWhen(false)>] value: byref<'T>) : bool =
        let mutable boxed = null
        if IntMap.tryFind key.Id entries &boxed then
            value <- Context.Cast<'T> boxed
            true
        else
            value <- Unchecked.defaultof<'T>
            false

    /// <summary>True when the key is set.</summary>
    member _.Contains(key: ContextKey) = IntMap.containsKey key.Id entries

    /// <summary>A new context in which the key has this value; this one does not change.</summary>
    member _.With(key: ContextKey<'T>, value: 'T) : Context =
        let opaque = if opaque.IsEmpty then opaque else opaque |> List.filter (fun entry -> entry.Name <> key.Name)
        Context(IntMap.add key.Id (box value) entries, scopes, depth, opaque)

    /// <summary>A new context without the key; this one does not change.</summary>
    member this.Without(key: ContextKey) : Context =
        let opaque' = if opaque.IsEmpty then opaque else opaque |> List.filter (fun entry -> entry.Name <> key.Name)
        let entries' = IntMap.remove key.Id entries
        if obj.ReferenceEquals(entries'.Root, entries.Root) && opaque'.Length = opaque.Length then this
        else Context(entries', scopes, depth, opaque')

    /// <summary>A new context one named scope deeper: same entries, the name appended to the scope chain.</summary>
    /// <exception cref="T:System.ArgumentNullException">When the name is null.</exception>
    member _.EnterScope(name: string) : Context =
        if isNull name then nullArg (nameof name)
        Context(entries, name :: scopes, depth + 1, opaque)

    static member internal OfParts(parts: DecodedParts) = Context(parts.Entries, parts.Scopes, parts.Depth, parts.Opaque)

    /// <summary>This context laid over <paramref name="bottom"/>: this context's entries win, and the scope
    /// chain is this one's followed by the bottom's (an incoming <c>["edge";"api"]</c> over a local
    /// <c>["worker"]</c> gives <c>["edge";"api";"worker"]</c>).</summary>
    member this.LayeredOver(bottom: Context) : Context =
        if entries.Count = 0 && opaque.IsEmpty && depth = 0 then bottom
        else
            // Whatever the top carries under a name, known or opaque, replaces the bottom's entry of that name.
            let opaqueNames = set [ for entry in opaque -> entry.Name ]
            let mutable merged = bottom.Map
            if not opaqueNames.IsEmpty then
                bottom.Map |> IntMap.iter (fun id _ ->
                    if opaqueNames.Contains (KeyRegistry.KeyOf id).Name then merged <- IntMap.remove id merged)
            entries |> IntMap.iter (fun id value -> merged <- IntMap.add id value merged)
            let topNames = opaqueNames + set [ for KeyValue(key, _) in this.Entries -> key.Name ]
            let kept = bottom.Opaque |> List.filter (fun entry -> not (topNames.Contains entry.Name))
            Context(merged, bottom.Scopes @ scopes, depth + bottom.ScopeDepth, kept @ opaque)

    /// <summary>The binary form of the serializable entries and the scope chain (see docs/wire-format.md);
    /// local-only entries are left out, not even named. An empty context gives an empty array.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>SerializationFailed</c> when a codec fails;
    /// <c>ContextTooLarge</c> when a limit of <c>ContextLimits.Current</c> is exceeded.</exception>
    member _.Serialize() : byte[] =
        match Envelope.encode ContextLimits.Current entries scopes depth opaque with
        | Ok bytes -> bytes
        | Error error -> raise (ContextException error)

    /// <summary>The header-safe string form: the binary form in base64url without padding.</summary>
    /// <exception cref="T:DistributedContext.ContextException">As <see cref="M:DistributedContext.Context.Serialize"/>.</exception>
    member _.SerializeToString() : string =
        match Envelope.encodeToString ContextLimits.Current entries scopes depth opaque with
        | Ok text -> text
        | Error error -> raise (ContextException error)

    /// <summary>Decodes the binary form. An empty input gives the empty context. A bad entry is
    /// dropped (quarantined) and the rest kept; entries of unknown keys or newer versions are kept
    /// opaque and written back on the next encode.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>DeserializationFailed</c> or <c>ContextTooLarge</c>.</exception>
    static member Deserialize(bytes: ReadOnlySpan<byte>) : Context = Context.Deserialize(bytes, WireOptions.Default)

    /// <summary>Decodes the binary form with options (limits, registry, strict mode).</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>DeserializationFailed</c> or <c>ContextTooLarge</c>.</exception>
    static member Deserialize(bytes: ReadOnlySpan<byte>, options: WireOptions) : Context =
        match Envelope.decode options bytes with
        | Ok parts -> Context.OfParts parts
        | Error error -> raise (ContextException error)

    /// <summary>Decodes the string form; null or empty gives the empty context.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>DeserializationFailed</c> or <c>ContextTooLarge</c>.</exception>
    static member DeserializeFromString(encoded: string) : Context =
        match Envelope.decodeString WireOptions.Default encoded with
        | Ok parts -> Context.OfParts parts
        | Error error -> raise (ContextException error)

    /// <summary>The set keys with their values, in registration order.</summary>
    member _.Entries : IReadOnlyList<KeyValuePair<ContextKey, obj>> =
        [| for id, value in IntMap.toList entries -> KeyValuePair(KeyRegistry.KeyOf id, value) |] :> _

    override this.Equals(other: obj) =
        match other with
        | :? Context as other ->
            obj.ReferenceEquals(this, other)
            || (entries.Count = other.Map.Count
                && depth = other.ScopeDepth
                && scopes = other.Scopes
                && Set.ofList opaque = Set.ofList other.Opaque
                && (let mutable same = true
                    entries |> IntMap.iter (fun id value ->
                        if same then
                            let mutable theirs = null
                            same <- IntMap.tryFind id other.Map &theirs && Unchecked.equals value theirs)
                    same))
        | _ -> false

    override _.GetHashCode() =
        let mutable hash = HashCode()
        hash.Add entries.Count
        for scope in scopes do hash.Add scope
        entries |> IntMap.iter (fun id _ -> hash.Add id)
        hash.ToHashCode()

    /// <summary>Key names and scope chain; never a value.</summary>
    override this.ToString() =
        let names = [ for KeyValue(key, _) in this.Entries -> key.Name ] @ [ for entry in opaque -> $"{entry.Name}?" ]
        let scopeText = if depth = 0 then "" else " in " + String.Join("/", this.ScopeChain)
        $"""Context [{String.Join(", ", names)}]{scopeText}"""

/// What the debugger shows: each key with its value, except the values of local-only keys.
and [<Sealed>] internal ContextDebugView(context: Context) =
    [<DebuggerBrowsable(DebuggerBrowsableState.RootHidden)>]
    member _.Entries =
        [| for KeyValue(key, value) in context.Entries ->
               KeyValuePair(key.Name, (if key.IsLocalOnly then box "<local-only: hidden>" else value)) |]
    member _.ScopeChain = context.ScopeChain

/// <summary>Functions over immutable contexts. Each returns a new context and leaves its input as it was.</summary>
[<RequireQualifiedAccess>]
module Context =

    /// <summary>The context with no entries and no scopes.</summary>
    [<CompiledName("Empty")>]
    let empty = Context.Empty

    /// <summary>The key's value, or the key's default when it is not set. O(log32 id), no allocation.</summary>
    [<CompiledName("Get")>]
    let inline get (key: ContextKey<'T>) (context: Context) : 'T = context.Get key

    /// <summary>The key's value when it is set.</summary>
    [<CompiledName("TryGet")>]
    let tryGet (key: ContextKey<'T>) (context: Context) : 'T option =
        match context.TryGet key with
        | true, value -> Some value
        | _ -> None

    /// <summary>A context in which the key has this value. Copies one path of the map: O(log32 id).</summary>
    [<CompiledName("Set")>]
    let set (key: ContextKey<'T>) (value: 'T) (context: Context) : Context = context.With(key, value)

    /// <summary>A context without the key (the same context when the key is not set).</summary>
    [<CompiledName("Remove")>]
    let remove (key: ContextKey<'T>) (context: Context) : Context = context.Without key

    /// <summary>How many entries a read can see. O(1).</summary>
    [<CompiledName("Count")>]
    let count (context: Context) = context.Count

    /// <summary>True when the key is set.</summary>
    [<CompiledName("Contains")>]
    let contains (key: ContextKey<'T>) (context: Context) = context.Contains key

    /// <summary>A context one named scope deeper (the pure scope: the parent does not change).</summary>
    /// <exception cref="T:System.ArgumentNullException">When the name is null.</exception>
    [<CompiledName("EnterScope")>]
    let enterScope (name: string) (context: Context) : Context = context.EnterScope name

    /// <summary>The names of the scopes the context was built under, outermost first.</summary>
    [<CompiledName("ScopeChain")>]
    let scopeChain (context: Context) : string list = List.rev context.Scopes

    /// <summary><paramref name="top"/> laid over <paramref name="bottom"/>: top's entries win; the scope chain is top's then bottom's.</summary>
    [<CompiledName("Overlay")>]
    let overlay (top: Context) (bottom: Context) = top.LayeredOver bottom

    /// <summary>The keys that are set, in registration order.</summary>
    [<CompiledName("Keys")>]
    let keys (context: Context) : ContextKey list = [ for KeyValue(key, _) in context.Entries -> key ]
