namespace DistributedContext

open System
open System.Collections.Concurrent
open System.Threading

/// <summary>
/// The untyped view of a registered key: its name, version, whether it stays in the process,
/// and its codec. Every key gets a dense integer id at registration, so contexts index their
/// entries by id and never hash a string.
/// </summary>
[<AbstractClass; AllowNullLiteral>]
type ContextKey internal (id: int, name: string, version: int, isLocalOnly: bool, valueType: Type, defaultValue: obj,
                          codec: Codec, writeVersion: int, toWireValue: obj -> obj, wireCodec: Codec) =
    member internal _.Id = id
    /// <summary>The name the key is registered under; it is also its name on the wire.</summary>
    member _.Name = name
    /// <summary>The version of the key's value type (1 unless registered otherwise).</summary>
    member _.Version = version
    /// <summary>True when the key never leaves the process (it is never encoded, not even its name).</summary>
    member _.IsLocalOnly = isLocalOnly
    /// <summary>The type of the key's values.</summary>
    member _.ValueType = valueType
    /// <summary>The key's default value, boxed: what a read returns when the key is not set.</summary>
    member _.DefaultValue = defaultValue
    /// <summary>The codec of the key's values (present, unused, on local-only keys).</summary>
    member _.UntypedCodec = codec
    /// <summary>The version written on the wire: the key's version, unless it keeps writing an older one during a rolling upgrade.</summary>
    member _.WriteVersion = writeVersion
    /// Turns a value into the one written at WriteVersion (identity unless downgrading).
    member internal _.ToWireValue value = toWireValue value
    /// The codec of the value written at WriteVersion.
    member internal _.WireCodec = wireCodec
    /// The name as the envelope writes it: varint length, then UTF-8.
    member val internal WireName : byte[] =
        let utf8 = Text.Encoding.UTF8.GetBytes name
        let buffer = Buffers.ArrayBufferWriter<byte>(utf8.Length + Varint.MaxLength)
        Varint.write buffer (uint64 utf8.Length)
        Buffers.BuffersExtensions.Write(buffer, ReadOnlySpan utf8)
        buffer.WrittenSpan.ToArray()
    override _.ToString() = if isLocalOnly then $"{name} (local)" else $"{name} v{version}"

/// <summary>A typed key: reads and writes of its values are checked at compile time. Get one from
/// <c>ContextKey.register</c> (F#) or <c>DContext.Register</c> (C#).</summary>
[<Sealed; AllowNullLiteral>]
type ContextKey<'T> internal (id, name, version, isLocalOnly, defaultValue: 'T, codec: Codec<'T>,
                              writeVersion: int, downgrade: obj -> obj, wireCodec: Codec) =
    inherit ContextKey(id, name, version, isLocalOnly, typeof<'T>, box defaultValue, codec, writeVersion, downgrade, wireCodec)
    /// <summary>The value a read returns when the key is not set.</summary>
    member _.Default : 'T = defaultValue
    /// <summary>The codec of the key's values.</summary>
    member _.Codec : Codec<'T> = codec
    /// The key's ContextFlow.get, made once (a flow is immutable): `let!` of a key allocates nothing.
    member val internal FlowCache : obj = null with get, set

/// <summary>
/// How to register a key: version, default value, codec, local-only, and an older version to
/// keep writing during a rolling upgrade. Fluent: every call returns the options.
/// </summary>
[<Sealed>]
type ContextKeyOptions<'T>() =
    member val internal VersionNumber = 1 with get, set
    member val internal DefaultValue : 'T = Unchecked.defaultof<'T> with get, set
    member val internal IsLocalOnly = false with get, set
    member val internal CustomCodec : Codec<'T> = Unchecked.defaultof<Codec<'T>> with get, set
    member val internal Downgrade : (int * (obj -> obj) * Codec) option = None with get, set

    /// <summary>The version of the value type (1 by default). Raise it when the type changes and
    /// register a migration from the previous version.</summary>
    member this.Version(version: int) =
        if version < 1 then invalidArg (nameof version) "A key version is 1 or more."
        this.VersionNumber <- version
        this

    /// <summary>The value reads return when the key is not set.</summary>
    member this.Default(value: 'T) =
        this.DefaultValue <- value
        this

    /// <summary>The key never leaves the process: it is never encoded, and refused on decode.</summary>
    member this.LocalOnly() =
        this.IsLocalOnly <- true
        this

    /// <summary>A custom codec for the key's values.</summary>
    member this.Codec(codec: Codec<'T>) =
        this.CustomCodec <- (if isNull (box codec) then nullArg (nameof codec) else codec)
        this

    /// <summary>A custom codec from an encode and a decode function; either may throw, and the
    /// failure is reported for the key.</summary>
    member this.Codec(encode: Func<'T, byte[]>, decode: Func<byte[], 'T>) =
        if isNull encode then nullArg (nameof encode)
        if isNull decode then nullArg (nameof decode)
        this.Codec(FunctionCodec<'T>(encode.Invoke, decode.Invoke))

    /// <summary>During a rolling upgrade: keep writing <paramref name="version"/> (encoded with
    /// <c>'Old</c>'s default codec) through <paramref name="downgrade"/>, until every reader knows the
    /// current version. Readers of the current version read both.</summary>
    member this.WriteVersion<'Old>(version: int, downgrade: Func<'T, 'Old>) =
        if version < 1 then invalidArg (nameof version) "A key version is 1 or more."
        if isNull downgrade then nullArg (nameof downgrade)
        this.Downgrade <- Some(version, (fun value -> box (downgrade.Invoke(unbox<'T> value))), Codec.defaultFor<'Old> :> Codec)
        this

/// A registered conversion of a payload written at FromVersion into a value of the next version.
type internal Migration =
    { FromVersion: int
      OldType: Type
      NewType: Type
      Read: Codec
      Apply: obj -> obj }

/// <summary>
/// A set of registered keys and migrations. Everything uses <c>KeyRegistry.Global</c> unless told
/// otherwise; a separate registry simulates another process (a reader that lacks a key, or knows an
/// older version of it) in tests. Thread-safe.
/// </summary>
[<Sealed; AllowNullLiteral>]
type KeyRegistry() =
    static let mutable nextId = -1
    /// Every key of every registry, indexed by id; replaced (never mutated in place) under the lock.
    static let mutable byId : ContextKey[] = Array.zeroCreate 64
    static let idGate = obj ()
    static let globalRegistry = KeyRegistry()
    let byName = ConcurrentDictionary<string, ContextKey>(StringComparer.Ordinal)
    let byChars = byName.GetAlternateLookup<ReadOnlySpan<char>>()
    let migrations = ConcurrentDictionary<string, Map<int, Migration>>(StringComparer.Ordinal)
    let gate = obj ()

    static let checkName (name: string) =
        if isNull name then nullArg (nameof name)
        if String.IsNullOrWhiteSpace name then invalidArg (nameof name) "A key name cannot be empty or blank."

    /// <summary>The registry the whole process shares.</summary>
    static member Global = globalRegistry

    /// The key with this id, in any registry.
    static member internal KeyOf(id: int) : ContextKey =
        let keys = Volatile.Read &byId
        if id < keys.Length then keys[id] else null

    static member private Index(key: ContextKey) =
        lock idGate (fun () ->
            let mutable keys = byId
            if key.Id >= keys.Length then
                let grown = Array.zeroCreate (max (keys.Length * 2) (key.Id + 1))
                Array.blit keys 0 grown 0 keys.Length
                keys <- grown
            keys[key.Id] <- key
            Volatile.Write(&byId, keys))

    /// <summary>Registers a key; the same name with the same type and options gives back the same key.</summary>
    member internal _.TryRegister<'T>(name: string, options: ContextKeyOptions<'T>) : Result<ContextKey<'T>, ContextError> =
        checkName name
        lock gate (fun () ->
            match byName.TryGetValue name with
            | true, (:? ContextKey<'T> as existing) when existing.Version = options.VersionNumber && existing.IsLocalOnly = options.IsLocalOnly ->
                Ok existing
            | true, existing ->
                let describe (t: Type) version local = $"""{t.Name} v{version}{if local then " (local-only)" else ""}"""
                Error(ContextError.AlreadyRegistered(name, describe existing.ValueType existing.Version existing.IsLocalOnly,
                                                     describe typeof<'T> options.VersionNumber options.IsLocalOnly))
            | _ ->
                let codec = if isNull (box options.CustomCodec) then Codec.defaultFor<'T> else options.CustomCodec
                let writeVersion, downgrade, wireCodec =
                    match options.Downgrade with
                    | Some(version, downgrade, wireCodec) -> version, downgrade, wireCodec
                    | None -> options.VersionNumber, id, (codec :> Codec)
                let key =
                    ContextKey<'T>(Interlocked.Increment &nextId, name, options.VersionNumber, options.IsLocalOnly,
                                   options.DefaultValue, codec, writeVersion, downgrade, wireCodec)
                KeyRegistry.Index key
                byName[name] <- key
                Ok key)

    /// <summary>Registers a key in this registry.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>AlreadyRegistered</c> when the name is taken by another type or other options.</exception>
    member this.Register<'T>(name: string, options: ContextKeyOptions<'T>) : ContextKey<'T> =
        match this.TryRegister(name, options) with
        | Ok key -> key
        | Error error -> raise (ContextException error)

    /// <summary>Registers how a payload written at <paramref name="fromVersion"/> becomes a value of
    /// version <c>fromVersion + 1</c>; migrations chain up to the key's current version.</summary>
    member _.RegisterMigration<'Old, 'New>(name: string, fromVersion: int, codec: Codec<'Old>, migrate: 'Old -> 'New) =
        checkName name
        if fromVersion < 1 then invalidArg (nameof fromVersion) "A key version is 1 or more."
        let migration =
            { FromVersion = fromVersion; OldType = typeof<'Old>; NewType = typeof<'New>; Read = codec
              Apply = fun old -> box (migrate (unbox<'Old> old)) }
        migrations.AddOrUpdate(name, Map.empty.Add(fromVersion, migration), fun _ existing -> existing.Add(fromVersion, migration)) |> ignore

    /// The key registered under a name, or null (no option allocated: the decoder's path).
    member internal _.FindOrNull(name: string) : ContextKey =
        match byName.TryGetValue name with
        | true, key -> key
        | _ -> null

    /// The key registered under a name given as characters, or null: no string is allocated.
    member internal _.FindOrNull(name: ReadOnlySpan<char>) : ContextKey =
        let mutable key = null
        if byChars.TryGetValue(name, &key) then key else null

    /// <summary>The key registered under a name, when there is one.</summary>
    member _.TryGetKey(name: string, [<Runtime.InteropServices.Out>] key: byref<ContextKey>) : bool =
        byName.TryGetValue(name, &key)

    /// The typed key registered under a name: NotRegistered or TypeMismatch otherwise.
    member internal _.TryFindTyped<'T>(name: string) : Result<ContextKey<'T>, ContextError> =
        match byName.TryGetValue name with
        | true, (:? ContextKey<'T> as key) -> Ok key
        | true, key -> Error(ContextError.TypeMismatch(name, key.ValueType.Name, typeof<'T>.Name))
        | _ -> Error(ContextError.NotRegistered name)

    /// <summary>The typed key registered under a name.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>NotRegistered</c> or <c>TypeMismatch</c>.</exception>
    member this.Find<'T>(name: string) : ContextKey<'T> =
        match this.TryFindTyped<'T> name with
        | Ok key -> key
        | Error error -> raise (ContextException error)

    /// <summary>Every key of this registry.</summary>
    member _.Keys : ContextKey seq = byName.Values |> Seq.sortBy (fun key -> key.Id) |> Seq.toArray :> _

    /// The migration out of one version of a key.
    member internal _.TryMigration(name: string, fromVersion: int) =
        match migrations.TryGetValue name with
        | true, chain -> chain.TryFind fromVersion
        | _ -> None

/// <summary>Registering and finding keys in the global registry.</summary>
[<RequireQualifiedAccess>]
module ContextKey =

    let private orRaise result =
        match result with
        | Ok value -> value
        | Error error -> raise (ContextException error)

    /// <summary>Registers a key with options; idempotent for the same name, type and options.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>AlreadyRegistered</c> when the name is taken by another type or other options.</exception>
    [<CompiledName("RegisterWith")>]
    let registerWith<'T> (name: string) (configure: ContextKeyOptions<'T> -> ContextKeyOptions<'T>) : ContextKey<'T> =
        KeyRegistry.Global.TryRegister(name, configure (ContextKeyOptions<'T>())) |> orRaise

    /// <summary>Registers a serializable key with the default codec for <c>'T</c>; idempotent for the same name and type.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>AlreadyRegistered</c> when the name is taken by another type.</exception>
    [<CompiledName("Register")>]
    let register<'T> (name: string) : ContextKey<'T> = registerWith<'T> name id

    /// <summary>Registers a local-only key: it is never encoded, not even its name.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>AlreadyRegistered</c> when the name is taken by another type.</exception>
    [<CompiledName("RegisterLocal")>]
    let registerLocal<'T> (name: string) : ContextKey<'T> = registerWith<'T> name (fun options -> options.LocalOnly())

    /// <summary>Registers how a payload of key <paramref name="name"/> written at <paramref name="fromVersion"/>
    /// (decoded with <c>'Old</c>'s default codec) becomes a value of the next version.</summary>
    [<CompiledName("RegisterMigration")>]
    let registerMigration<'Old, 'New> (name: string) (fromVersion: int) (migrate: 'Old -> 'New) =
        KeyRegistry.Global.RegisterMigration(name, fromVersion, Codec.defaultFor<'Old>, migrate)

    /// <summary>As <c>registerMigration</c>, decoding the old payload with the given codec.</summary>
    [<CompiledName("RegisterMigrationWithCodec")>]
    let registerMigrationWithCodec<'Old, 'New> (name: string) (fromVersion: int) (codec: Codec<'Old>) (migrate: 'Old -> 'New) =
        KeyRegistry.Global.RegisterMigration(name, fromVersion, codec, migrate)

    /// <summary>The typed key registered under a name, or <c>NotRegistered</c> / <c>TypeMismatch</c>.</summary>
    [<CompiledName("TryFind")>]
    let tryFind<'T> (name: string) : Result<ContextKey<'T>, ContextError> = KeyRegistry.Global.TryFindTyped<'T> name

    /// <summary>The typed key registered under a name.</summary>
    /// <exception cref="T:DistributedContext.ContextException"><c>NotRegistered</c> or <c>TypeMismatch</c>.</exception>
    [<CompiledName("Find")>]
    let find<'T> (name: string) : ContextKey<'T> = tryFind<'T> name |> orRaise
