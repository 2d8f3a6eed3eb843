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

/// A growable byte buffer written directly (no interface dispatch on the encoder's own writes);
/// it is also an IBufferWriter for the codecs.
[<Sealed; AllowNullLiteral>]
type internal ByteSink() =
    let mutable buffer : byte[] = Array.zeroCreate 512
    let mutable length = 0

    member _.Length = length
    member _.Written = ReadOnlySpan<byte>(buffer, 0, length)
    member _.Capacity = buffer.Length
    member _.Reset() = length <- 0

    member _.Ensure(extra: int) =
        if length + extra > buffer.Length then
            let grown = Array.zeroCreate (max (buffer.Length * 2) (length + extra))
            Buffer.BlockCopy(buffer, 0, grown, 0, length)
            buffer <- grown

    member this.WriteByte(value: byte) =
        this.Ensure 1
        buffer[length] <- value
        length <- length + 1

    member this.WriteVarint(value: uint64) =
        this.Ensure Varint.MaxLength
        let mutable rest = value
        while rest >= 0x80UL do
            buffer[length] <- byte (rest ||| 0x80UL)
            rest <- rest >>> 7
            length <- length + 1
        buffer[length] <- byte rest
        length <- length + 1

    member this.Write(bytes: ReadOnlySpan<byte>) =
        this.Ensure bytes.Length
        bytes.CopyTo(Span<byte>(buffer, length, bytes.Length))
        length <- length + bytes.Length

    /// A string as the envelope writes it: varint byte length, then UTF-8.
    member this.WriteUtf8(text: string, encoding: Text.Encoding) =
        let count = encoding.GetByteCount text
        this.WriteVarint(uint64 count)
        this.Ensure count
        length <- length + encoding.GetBytes(text, 0, text.Length, buffer, length)

    interface IBufferWriter<byte> with
        member this.GetSpan(sizeHint) =
            this.Ensure(max sizeHint 16)
            Span<byte>(buffer, length, buffer.Length - length)
        member this.GetMemory(sizeHint) =
            this.Ensure(max sizeHint 16)
            Memory<byte>(buffer, length, buffer.Length - length)
        member _.Advance(count) = length <- length + count

/// Two sinks per thread (the envelope and one payload), so that encoding allocates only its
/// result. A codec that re-enters the encoder gets fresh ones.
[<Sealed; AbstractClass>]
type internal EncoderBuffers =
    [<ThreadStatic; DefaultValue>]
    static val mutable private envelope : ByteSink
    [<ThreadStatic; DefaultValue>]
    static val mutable private payload : ByteSink

    static member Rent(forPayload: bool) =
        let spare = if forPayload then EncoderBuffers.payload else EncoderBuffers.envelope
        if isNull spare then ByteSink()
        else
            if forPayload then EncoderBuffers.payload <- null else EncoderBuffers.envelope <- null
            spare

    static member Return(sink: ByteSink, forPayload: bool) =
        if sink.Capacity <= 64 * 1024 then
            sink.Reset()
            if forPayload then EncoderBuffers.payload <- sink else EncoderBuffers.envelope <- sink

/// A per-thread buffer for decoding key names without allocating strings.
[<Sealed; AbstractClass>]
type internal NameChars =
    [<ThreadStatic; DefaultValue>]
    static val mutable private buffer : char[]
    static member Buffer =
        match NameChars.buffer with
        | null ->
            NameChars.buffer <- Array.zeroCreate 256
            NameChars.buffer
        | buffer -> buffer

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


    /// One entry to write: a known key's value, or an opaque entry's bytes.
    [<Struct>]
    type private Outgoing =
        { Name: string
          WireName: byte[]
          Version: int
          Codec: Codec
          Value: obj
          Opaque: byte[] }

    /// The order to write the entries in: by name, ordinal. An insertion sort of indices: the
    /// entries are few (at most MaxEntries) and moving ints costs no GC write barriers.
    let private nameOrder (entries: Outgoing[]) (count: int) =
        let order = Array.init count id
        for i in 1 .. count - 1 do
            let current = order[i]
            let name = entries[current].Name
            let mutable j = i - 1
            while j >= 0 && String.CompareOrdinal(entries[order[j]].Name, name) > 0 do
                order[j + 1] <- order[j]
                j <- j - 1
            order[j + 1] <- current
        order

    let private writePayload (sink: ByteSink) (codec: Codec) (value: obj) =
        match codec with
        | :? StringCodec when not (isNull value) -> sink.WriteUtf8(value :?> string, strictUtf8)
        | _ ->
            let length = codec.PayloadLength value
            if length >= 0 then
                sink.WriteVarint(uint64 length)
                let before = sink.Length
                codec.WriteBoxed(value, sink)
                if sink.Length - before <> length then
                    raise (InvalidOperationException $"the codec announced {length} bytes and wrote {sink.Length - before}")
            else
                let scratch = EncoderBuffers.Rent true
                try
                    codec.WriteBoxed(value, scratch)
                    sink.WriteVarint(uint64 scratch.Length)
                    sink.Write scratch.Written
                finally
                    EncoderBuffers.Return(scratch, true)

    /// The largest entries, for a ContextTooLarge message (the error path only).
    let private largest (entries: Outgoing[]) (count: int) =
        [ for entry in Array.truncate count entries ->
            let sink = ByteSink()
            (try
                if isNull entry.Opaque then writePayload sink entry.Codec entry.Value else sink.Write(ReadOnlySpan entry.Opaque)
             with _ -> ())
            entry.Name, sink.Length + entry.Name.Length + 2 ]
        |> List.sortByDescending snd |> List.truncate 3
        |> List.map (fun (name, bytes) -> $"'{name}' {bytes} B") |> String.concat ", "

    /// Encodes the serializable entries (never a local-only one, not even its name), the scope chain
    /// and the opaque entries, enforcing the limits.
    let encodeInto (sink: ByteSink) (limits: ContextLimits) (entries: IntMap) (scopes: string list) (depth: int) (opaque: OpaqueEntry list) : Result<unit, ContextError> =
        let ids = Array.zeroCreate entries.Count
        let values = Array.zeroCreate entries.Count
        IntMap.copyTo ids values entries |> ignore
        let outgoing = Array.zeroCreate<Outgoing> (entries.Count + opaque.Length)
        let mutable count = 0
        for i in 0 .. ids.Length - 1 do
            let key = KeyRegistry.KeyOf ids[i]
            if not key.IsLocalOnly then
                let downgrading = key.WriteVersion <> key.Version
                outgoing[count] <-
                    { Name = key.Name; WireName = key.WireName; Version = key.WriteVersion
                      Codec = (if downgrading then key.WireCodec else key.UntypedCodec)
                      Value = (if downgrading then key.ToWireValue values[i] else values[i]); Opaque = null }
                count <- count + 1
        for entry in opaque do
            outgoing[count] <- { Name = entry.Name; WireName = null; Version = entry.Version; Codec = null; Value = null; Opaque = entry.Payload }
            count <- count + 1
        if count = 0 && depth = 0 then Ok()
        elif count > limits.MaxEntries then
            Error(ContextError.ContextTooLarge("the number of serializable entries", count, limits.MaxEntries, ""))
        elif depth > limits.MaxScopeChainLength then
            Error(ContextError.ContextTooLarge("the scope chain length", depth, limits.MaxScopeChainLength, ""))
        else
            let order = nameOrder outgoing count
            let start = sink.Length
            sink.WriteByte FormatVersion
            sink.WriteByte 0uy
            sink.WriteVarint(uint64 depth)
            for scope in List.rev scopes do sink.WriteUtf8(scope, strictUtf8)
            sink.WriteVarint(uint64 count)
            let mutable failure = None
            let mutable i = 0
            while failure.IsNone && i < count do
                let entry = outgoing[order[i]]
                if isNull entry.WireName then sink.WriteUtf8(entry.Name, strictUtf8) else sink.Write(ReadOnlySpan entry.WireName)
                sink.WriteVarint(uint64 entry.Version)
                if isNull entry.Opaque then
                    try writePayload sink entry.Codec entry.Value
                    with error -> failure <- Some(ContextError.SerializationFailed(entry.Name, $"{error.GetType().Name}: {error.Message}"))
                else
                    sink.WriteVarint(uint64 entry.Opaque.Length)
                    sink.Write(ReadOnlySpan entry.Opaque)
                i <- i + 1
            match failure with
            | Some error -> Error error
            | None ->
                let size = sink.Length - start
                if size > limits.MaxContextSize then
                    Error(ContextError.ContextTooLarge("the encoded size in bytes", size, limits.MaxContextSize, $"largest entries: {largest outgoing count}"))
                else Ok()

    let private withBuffer (encode: ByteSink -> Result<unit, ContextError>) (finish: ByteSink -> 'T) =
        let sink = EncoderBuffers.Rent false
        try
            encode sink |> Result.map (fun () -> finish sink)
        finally
            EncoderBuffers.Return(sink, false)

    let encode limits entries scopes depth opaque : Result<byte[], ContextError> =
        withBuffer (fun sink -> encodeInto sink limits entries scopes depth opaque) (fun sink -> sink.Written.ToArray())

    let encodeToString limits entries scopes depth opaque : Result<string, ContextError> =
        withBuffer (fun sink -> encodeInto sink limits entries scopes depth opaque) (fun sink -> Base64Url.EncodeToString sink.Written)

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

    /// Characters of a key name, decoded without allocating a string (names longer than this
    /// buffer, which no sane key has, take the allocating path).
    [<Literal>]
    let private NameBufferLength = 256

    /// The key a name's UTF-8 bytes refer to, or null; the name as a string only when it is needed
    /// (an unknown key kept opaque, or an error).
    let private readKey (input: ReadOnlySpan<byte>) (position: byref<int>) (registry: KeyRegistry) (chars: char[]) (name: byref<string>) : ContextKey =
        let length = readLength input &position "" "key name"
        let bytes = input.Slice(position, length)
        position <- position + length
        if length = 0 then fail "" "an entry has an empty key name"
        let mutable key = null
        if length <= NameBufferLength then
            let count =
                try strictUtf8.GetChars(bytes, Span<char>(chars))
                with _ -> fail "" "a key name is not valid UTF-8"
            key <- registry.FindOrNull(ReadOnlySpan<char>(chars, 0, count))
            if isNull key then name <- String(chars, 0, count) else name <- key.Name
        else
            name <- (try strictUtf8.GetString bytes with _ -> fail "" "a key name is not valid UTF-8")
            key <- registry.FindOrNull name
        key

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
        let ids = Array.zeroCreate<int> count
        let values = Array.zeroCreate<obj> count
        let mutable decoded = 0
        let opaque = List<OpaqueEntry>()
        let quarantined = List<ContextError>()
        let chars = NameChars.Buffer
        let bad error =
            if options.Strict then raise (Malformed error)
            quarantined.Add error
        for _ in 1..count do
            let mutable read = null
            let key = readKey input &position registry chars &read
            let name = read
            let version = readVersion input &position name
            let length = readLength input &position name "payload"
            let payload = input.Slice(position, length)
            position <- position + length
            if isNull key || version > key.Version then
                opaque.RemoveAll(fun other -> other.Name = name) |> ignore
                opaque.Add { Name = name; Version = version; Payload = payload.ToArray() }
            elif key.IsLocalOnly then bad (ContextError.LocalOnlyKey name)
            else
                match decodeValue registry key version payload with
                | Error error -> bad error
                | Ok value ->
                    // A name met twice: the last one wins.
                    let existing = Array.IndexOf(ids, key.Id, 0, decoded)
                    if existing >= 0 then values[existing] <- value
                    else
                        ids[decoded] <- key.Id
                        values[decoded] <- value
                        decoded <- decoded + 1
        if position <> input.Length then fail "" $"{input.Length - position} bytes follow the last entry"
        Array.Sort(ids, values, 0, decoded)
        { Entries = IntMap.ofSorted ids values decoded; Scopes = scopes; Depth = depth; Opaque = List.ofSeq opaque; Quarantined = List.ofSeq quarantined }

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
