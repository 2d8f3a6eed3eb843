namespace DistributedContext

open System
open System.Buffers
open System.Buffers.Text
open System.Collections.Generic
open System.Text

/// An entry this process cannot read (unknown key, or a version newer than it knows), kept as it
/// arrived so that re-encoding the context writes it back unchanged (law 7).
type internal OpaqueEntry =
    { Name: string
      Version: int
      Payload: byte[] }

/// <summary>How to decode: the limits to enforce, the registry that says which keys exist, and
/// whether one bad entry fails the whole decode (strict) or is quarantined (the default).</summary>
[<Sealed>]
type WireOptions(limits: ContextLimits, registry: KeyRegistry, strict: bool) =
    /// <summary>The limits (null: <c>ContextLimits.Current</c> at the time of the call).</summary>
    member _.Limits = if isNull (box limits) then ContextLimits.Current else limits
    /// <summary>The registry that resolves key names (null: <c>KeyRegistry.Global</c>).</summary>
    member _.Registry = if isNull registry then KeyRegistry.Global else registry
    /// <summary>True: a bad entry fails the whole decode. False (default): it is dropped and reported.</summary>
    member _.Strict = strict
    /// <summary>Current limits, global registry, quarantine mode.</summary>
    static member Default = WireOptions(Unchecked.defaultof<_>, null, false)
    /// <summary>These options with other limits.</summary>
    member _.WithLimits(value: ContextLimits) = WireOptions(value, registry, strict)
    /// <summary>These options with another registry.</summary>
    member _.WithRegistry(value: KeyRegistry) = WireOptions(limits, value, strict)
    /// <summary>These options in strict (true) or quarantine (false) mode.</summary>
    member _.WithStrict(value: bool) = WireOptions(limits, registry, value)

/// Two scratch buffers per thread (the envelope and one payload), so that encoding allocates
/// only its result. A codec that re-enters the encoder gets fresh ones.
[<Sealed; AbstractClass>]
type internal EncoderBuffers =
    [<ThreadStatic; DefaultValue>]
    static val mutable private envelope : ArrayBufferWriter<byte>
    [<ThreadStatic; DefaultValue>]
    static val mutable private payload : ArrayBufferWriter<byte>

    static member Rent(forPayload: bool) =
        let spare = if forPayload then EncoderBuffers.payload else EncoderBuffers.envelope
        if isNull spare then ArrayBufferWriter<byte>(256)
        else
            if forPayload then EncoderBuffers.payload <- null else EncoderBuffers.envelope <- null
            spare

    static member Return(buffer: ArrayBufferWriter<byte>, forPayload: bool) =
        if buffer.Capacity <= 64 * 1024 then
            buffer.ResetWrittenCount()
            if forPayload then EncoderBuffers.payload <- buffer else EncoderBuffers.envelope <- buffer

/// What a decode produced, before it becomes a Context.
type internal DecodedParts =
    { Entries: IntMap
      /// Innermost first, like Context's own chain.
      Scopes: string list
      Depth: int
      Opaque: OpaqueEntry list
      Quarantined: ContextError list }

/// The binary envelope (docs/wire-format.md), over the parts of a context:
///   format version (1 byte, = 1) | flags (1 byte, = 0)
///   scope count (varint) | scope names, outermost first (varint length + UTF-8)
///   entry count (varint) | entries sorted by name (ordinal): name (varint length + UTF-8),
///                          key version (varint), payload (varint length + bytes)
/// An empty context (no entries, no scopes) is the empty byte string.
[<RequireQualifiedAccess>]
module internal Envelope =

    [<Literal>]
    let FormatVersion = 1uy

    [<Literal>]
    let HeaderName = "dcontext"

    let private strictUtf8 = UTF8Encoding(false, true)


    let private writeBytes (writer: IBufferWriter<byte>) (bytes: ReadOnlySpan<byte>) =
        Varint.write writer (uint64 bytes.Length)
        writer.Write bytes

    let private writeString (writer: IBufferWriter<byte>) (text: string) =
        let span = writer.GetSpan(Varint.MaxLength + strictUtf8.GetMaxByteCount text.Length)
        let length = strictUtf8.GetBytes(text.AsSpan(), span.Slice Varint.MaxLength)
        // Move the prefix in front: write the varint, then shift the text to follow it.
        let prefix = Varint.length (uint64 length)
        span.Slice(Varint.MaxLength, length).CopyTo(span.Slice prefix)
        let mutable rest = uint64 length
        for i in 0 .. prefix - 1 do
            span[i] <- byte (if i < prefix - 1 then (rest &&& 0x7FUL) ||| 0x80UL else rest)
            rest <- rest >>> 7
        writer.Advance(prefix + length)

    [<Struct>]
    type private Outgoing = { Name: string; Version: int; Key: ContextKey; Value: obj; Opaque: byte[] }

    /// Encodes the serializable entries (never a local-only one, not even its name), the scope chain
    /// and the opaque entries, enforcing the limits.
    let encodeInto (writer: ArrayBufferWriter<byte>) (limits: ContextLimits) (entries: IntMap) (scopes: string list) (depth: int) (opaque: OpaqueEntry list) : Result<unit, ContextError> =
        let outgoing = List<Outgoing>(entries.Count + opaque.Length)
        entries |> IntMap.iter (fun id value ->
            let key = KeyRegistry.KeyOf id
            if not key.IsLocalOnly then
                outgoing.Add { Name = key.Name; Version = key.WriteVersion; Key = key; Value = value; Opaque = null })
        for entry in opaque do
            outgoing.Add { Name = entry.Name; Version = entry.Version; Key = null; Value = null; Opaque = entry.Payload }
        if outgoing.Count = 0 && depth = 0 then Ok()
        elif outgoing.Count > limits.MaxEntries then
            Error(ContextError.ContextTooLarge("the number of serializable entries", outgoing.Count, limits.MaxEntries, ""))
        elif depth > limits.MaxScopeChainLength then
            Error(ContextError.ContextTooLarge("the scope chain length", depth, limits.MaxScopeChainLength, ""))
        else
            outgoing.Sort(fun a b -> String.CompareOrdinal(a.Name, b.Name))
            let start = writer.WrittenCount
            writer.Write(ReadOnlySpan [| FormatVersion; 0uy |])
            Varint.write writer (uint64 depth)
            for scope in List.rev scopes do writeString writer scope
            Varint.write writer (uint64 outgoing.Count)
            let sizes = Array.zeroCreate outgoing.Count
            let mutable failure = None
            let payload = EncoderBuffers.Rent true
            for i in 0 .. outgoing.Count - 1 do
                if failure.IsNone then
                    let entry = outgoing[i]
                    let before = writer.WrittenCount
                    writeString writer entry.Name
                    Varint.write writer (uint64 entry.Version)
                    if isNull entry.Opaque then
                        payload.ResetWrittenCount()
                        try
                            entry.Key.WireCodec.WriteBoxed(entry.Key.ToWireValue entry.Value, payload)
                            writeBytes writer payload.WrittenSpan
                        with error ->
                            failure <- Some(ContextError.SerializationFailed(entry.Name, $"{error.GetType().Name}: {error.Message}"))
                    else
                        writeBytes writer (ReadOnlySpan entry.Opaque)
                    sizes[i] <- writer.WrittenCount - before
            EncoderBuffers.Return(payload, true)
            match failure with
            | Some error -> Error error
            | None ->
                let size = writer.WrittenCount - start
                if size > limits.MaxContextSize then
                    let largest =
                        Seq.zip (outgoing |> Seq.map (fun entry -> entry.Name)) sizes
                        |> Seq.sortByDescending snd |> Seq.truncate 3
                        |> Seq.map (fun (name, bytes) -> $"'{name}' {bytes} B") |> String.concat ", "
                    Error(ContextError.ContextTooLarge("the encoded size in bytes", size, limits.MaxContextSize, $"largest entries: {largest}"))
                else Ok()

    let private withBuffer (encode: ArrayBufferWriter<byte> -> Result<unit, ContextError>) (finish: ArrayBufferWriter<byte> -> 'T) =
        let buffer = EncoderBuffers.Rent false
        try
            encode buffer |> Result.map (fun () -> finish buffer)
        finally
            EncoderBuffers.Return(buffer, false)

    let encode limits entries scopes depth opaque : Result<byte[], ContextError> =
        withBuffer (fun buffer -> encodeInto buffer limits entries scopes depth opaque) (fun buffer -> buffer.WrittenSpan.ToArray())

    let encodeToString limits entries scopes depth opaque : Result<string, ContextError> =
        withBuffer (fun buffer -> encodeInto buffer limits entries scopes depth opaque) (fun buffer -> Base64Url.EncodeToString buffer.WrittenSpan)

    // ---- Decoding: every length is checked against what remains before anything is allocated. ----

    exception private Malformed of ContextError

    let private fail key reason = raise (Malformed(ContextError.DeserializationFailed(key, reason)))

    let private readCount (input: ReadOnlySpan<byte>) (position: byref<int>) (what: string) (limit: int) (limitName: string) =
        let mutable value = 0UL
        if not (Varint.tryRead input &position &value) then fail "" $"the {what} is not a well-formed varint"
        if value > uint64 limit then
            raise (Malformed(ContextError.ContextTooLarge($"the declared {what}", (if value > uint64 Int32.MaxValue then Int32.MaxValue else int value), limit, limitName)))
        int value

    let private readLength (input: ReadOnlySpan<byte>) (position: byref<int>) (key: string) (what: string) =
        let mutable value = 0UL
        if not (Varint.tryRead input &position &value) then fail key $"the length of the {what} is not a well-formed varint"
        if value > uint64 (input.Length - position) then fail key $"the {what} claims {value} bytes but only {input.Length - position} remain"
        int value

    let private readString (input: ReadOnlySpan<byte>) (position: byref<int>) (key: string) (what: string) =
        let length = readLength input &position key what
        let bytes = input.Slice(position, length)
        position <- position + length
        try strictUtf8.GetString bytes
        with _ -> fail key $"the {what} is not valid UTF-8"

    let private readVersion (input: ReadOnlySpan<byte>) (position: byref<int>) (key: string) =
        let mutable value = 0UL
        if not (Varint.tryRead input &position &value) then fail key "the key version is not a well-formed varint"
        if value = 0UL || value > uint64 Int32.MaxValue then fail key $"the key version {value} is out of range"
        int value

    /// Decodes one payload through the key's codec, or through the chain of migrations from an older version.
    let private decodeValue (registry: KeyRegistry) (key: ContextKey) (version: int) (payload: ReadOnlySpan<byte>) : Result<obj, ContextError> =
        let reason (error: exn) = $"its codec failed ({error.GetType().Name})"
        if version = key.Version then
            try Ok(key.UntypedCodec.ReadBoxed payload)
            with error -> Error(ContextError.DeserializationFailed(key.Name, reason error))
        else
            match registry.TryMigration(key.Name, version) with
            | None ->
                Error(ContextError.DeserializationFailed(key.Name, $"it was written at version {version} and no migration from version {version} is registered (current version {key.Version})"))
            | Some first ->
                let mutable value = null
                let mutable result = Ok null
                try
                    value <- first.Apply(first.Read.ReadBoxed payload)
                    let mutable step = version + 1
                    while step < key.Version && result.IsOk do
                        match registry.TryMigration(key.Name, step) with
                        | Some migration -> value <- migration.Apply value
                        | None ->
                            result <- Error(ContextError.DeserializationFailed(key.Name, $"no migration from version {step} is registered (current version {key.Version})"))
                        step <- step + 1
                    if result.IsOk then result <- Ok value
                with error ->
                    result <- Error(ContextError.DeserializationFailed(key.Name, $"migrating from version {version} failed ({error.GetType().Name})"))
                result

    let private decodeParts (options: WireOptions) (input: ReadOnlySpan<byte>) : DecodedParts =
        let limits = options.Limits
        let registry = options.Registry
        if input.Length > limits.MaxContextSize then
            raise (Malformed(ContextError.ContextTooLarge("the encoded size in bytes", input.Length, limits.MaxContextSize, "")))
        let mutable position = 0
        if input.Length < 2 then fail "" "the input is shorter than the 2-byte header"
        let format = input[0]
        if format <> FormatVersion then
            fail "" (if format > FormatVersion then $"it uses wire format version {format}, newer than this reader's version {FormatVersion}: upgrade DContext"
                     else $"wire format version {format} is not valid")
        if input[1] <> 0uy then fail "" $"the flags byte is {input[1]}, but no flags are defined in format version {FormatVersion}"
        position <- 2
        let depth = readCount input &position "scope chain length" limits.MaxScopeChainLength "MaxScopeChainLength"
        let mutable scopes = []
        for _ in 1..depth do
            scopes <- readString input &position "" "scope name" :: scopes
        let count = readCount input &position "number of entries" limits.MaxEntries "MaxEntries"
        let mutable entries = IntMap.empty
        let opaque = List<OpaqueEntry>()
        let quarantined = List<ContextError>()
        for _ in 1..count do
            let name = readString input &position "" "key name"
            if name.Length = 0 then fail "" "an entry has an empty key name"
            let version = readVersion input &position name
            let length = readLength input &position name "payload"
            let payload = input.Slice(position, length)
            position <- position + length
            let outcome =
                match registry.TryFind name with
                | None -> Choice1Of3 { Name = name; Version = version; Payload = payload.ToArray() }
                | Some key when key.IsLocalOnly -> Choice3Of3(ContextError.LocalOnlyKey name)
                | Some key when version > key.Version -> Choice1Of3 { Name = name; Version = version; Payload = payload.ToArray() }
                | Some key ->
                    match decodeValue registry key version payload with
                    | Ok value -> Choice2Of3(key, value)
                    | Error error -> Choice3Of3 error
            match outcome with
            | Choice1Of3 entry ->
                opaque.RemoveAll(fun other -> other.Name = name) |> ignore
                opaque.Add entry
            | Choice2Of3(key, value) -> entries <- IntMap.add key.Id value entries
            | Choice3Of3 error ->
                if options.Strict then raise (Malformed error)
                quarantined.Add error
        if position <> input.Length then fail "" $"{input.Length - position} bytes follow the last entry"
        { Entries = entries; Scopes = scopes; Depth = depth; Opaque = List.ofSeq opaque; Quarantined = List.ofSeq quarantined }

    let private empty = { Entries = IntMap.empty; Scopes = []; Depth = 0; Opaque = []; Quarantined = [] }

    /// Any input gives parts or a DeserializationFailed / ContextTooLarge error: never an exception.
    let decode (options: WireOptions) (input: ReadOnlySpan<byte>) : Result<DecodedParts, ContextError> =
        if input.IsEmpty then Ok empty
        else
            try Ok(decodeParts options input)
            with
            | Malformed error -> Error error
            | error -> Error(ContextError.DeserializationFailed("", $"unexpected {error.GetType().Name}"))

    let decodeString (options: WireOptions) (encoded: string) : Result<DecodedParts, ContextError> =
        if String.IsNullOrEmpty encoded then Ok empty
        else
            let limit = options.Limits.MaxContextSize
            // base64url without padding: 4 characters for every 3 bytes.
            let maxChars = (limit * 4 + 2) / 3
            if encoded.Length > maxChars then
                Error(ContextError.ContextTooLarge("the encoded size in characters", encoded.Length, maxChars, $"MaxContextSize {limit} bytes"))
            else
                let bytes = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength encoded.Length)
                try
                    let mutable written = 0
                    let valid =
                        try Base64Url.TryDecodeFromChars(encoded.AsSpan(), Span bytes, &written)
                        with :? FormatException -> false
                    if not valid then
                        Error(ContextError.DeserializationFailed("", "the header value is not valid base64url"))
                    else
                        decode options (ReadOnlySpan(bytes, 0, written))
                finally
                    ArrayPool<byte>.Shared.Return bytes
