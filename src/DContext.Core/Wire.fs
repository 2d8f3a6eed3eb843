namespace DistributedContext

open System
open System.Buffers
open System.Collections.Generic

/// <summary>The result of a decode: the context, and the entries that were dropped because they
/// could not be read (each error names the key and the reason, never the value).</summary>
[<Sealed>]
type Decoded internal (context: Context, quarantined: IReadOnlyList<ContextError>) =
    /// <summary>The decoded context.</summary>
    member _.Context = context
    /// <summary>The entries that were dropped (empty in strict mode, which fails instead).</summary>
    member _.Quarantined : IReadOnlyList<ContextError> = quarantined

/// <summary>
/// Crossing a process: the versioned binary envelope (docs/wire-format.md) and its header-safe
/// string form (base64url, no padding). Expected failures are values; local-only entries never leave.
/// </summary>
[<RequireQualifiedAccess>]
module Wire =

    /// <summary>The header (or metadata key) that carries the string form: <c>dcontext</c>.</summary>
    [<Literal>]
    let HeaderName = Envelope.HeaderName

    let private encodeParts encoder (limits: ContextLimits) (context: Context) =
        encoder limits context.Map context.Scopes context.ScopeDepth context.Opaque

    /// <summary>Encodes under the given limits.</summary>
    [<CompiledName("EncodeWith")>]
    let encodeWith (limits: ContextLimits) (context: Context) : Result<byte[], ContextError> =
        encodeParts Envelope.encode limits context

    /// <summary>Encodes the serializable entries and the scope chain under <c>ContextLimits.Current</c>.
    /// An empty context gives an empty array.</summary>
    [<CompiledName("Encode")>]
    let encode (context: Context) : Result<byte[], ContextError> = encodeWith ContextLimits.Current context

    /// <summary>Encodes to the string form under the given limits.</summary>
    [<CompiledName("EncodeToStringWith")>]
    let encodeToStringWith (limits: ContextLimits) (context: Context) : Result<string, ContextError> =
        encodeParts Envelope.encodeToString limits context

    /// <summary>Encodes to the string form (base64url without padding, safe in any HTTP header).</summary>
    [<CompiledName("EncodeToString")>]
    let encodeToString (context: Context) : Result<string, ContextError> = encodeToStringWith ContextLimits.Current context

    let private toDecoded (parts: DecodedParts) = Decoded(Context.OfParts parts, List.toArray parts.Quarantined)

    /// <summary>Decodes with options, reporting quarantined entries. Any input gives a result or a
    /// <c>DeserializationFailed</c> / <c>ContextTooLarge</c> error, never an exception.</summary>
    [<CompiledName("DecodeWith")>]
    let decodeWith (options: WireOptions) (bytes: ReadOnlySpan<byte>) : Result<Decoded, ContextError> =
        Envelope.decode options bytes |> Result.map toDecoded

    /// <summary>Decodes the binary form (an empty input gives the empty context).</summary>
    [<CompiledName("Decode")>]
    let decode (bytes: byte[]) : Result<Context, ContextError> =
        Envelope.decode WireOptions.Default (ReadOnlySpan bytes) |> Result.map Context.OfParts

    /// <summary>Decodes the string form with options, reporting quarantined entries.</summary>
    [<CompiledName("DecodeStringWith")>]
    let decodeStringWith (options: WireOptions) (encoded: string) : Result<Decoded, ContextError> =
        Envelope.decodeString options encoded |> Result.map toDecoded

    /// <summary>Decodes the string form (null or empty gives the empty context).</summary>
    [<CompiledName("DecodeString")>]
    let decodeString (encoded: string) : Result<Context, ContextError> =
        Envelope.decodeString WireOptions.Default encoded |> Result.map Context.OfParts

    /// <summary>The payload one key's codec writes for a value (what the entry carries on the wire).</summary>
    /// <returns><c>LocalOnlyKey</c> for a local-only key; <c>SerializationFailed</c> when the codec fails.</returns>
    [<CompiledName("EncodeValue")>]
    let encodeValue (key: ContextKey<'T>) (value: 'T) : Result<byte[], ContextError> =
        if key.IsLocalOnly then Error(ContextError.LocalOnlyKey key.Name)
        else
            try
                let buffer = ArrayBufferWriter<byte>()
                key.WireCodec.WriteBoxed(key.ToWireValue(box value), buffer)
                Ok(buffer.WrittenSpan.ToArray())
            with error -> Error(ContextError.SerializationFailed(key.Name, $"{error.GetType().Name}: {error.Message}"))
