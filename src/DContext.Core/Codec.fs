namespace DistributedContext

open System
open System.Buffers
open System.Buffers.Binary
open System.Text
open System.Text.Json
open System.Text.Json.Serialization

/// <summary>The untyped view of a codec, used by the wire format for entries of any type.</summary>
[<AbstractClass>]
type Codec() =
    /// <summary>Writes a boxed value of the codec's type.</summary>
    abstract WriteBoxed: value: obj * writer: IBufferWriter<byte> -> unit
    /// <summary>Reads a value of the codec's type, boxed. Throws on malformed input.</summary>
    abstract ReadBoxed: payload: ReadOnlySpan<byte> -> obj
    /// <summary>The payload length <c>WriteBoxed</c> will write, when the codec knows it cheaply; -1 otherwise.
    /// Lets the encoder write the payload in place instead of through a scratch buffer.</summary>
    abstract PayloadLength: value: obj -> int
    default _.PayloadLength(value: obj) = ignore value; -1

/// <summary>
/// Turns values of <c>'T</c> into the payload bytes of a wire entry and back. Subclass it for a
/// zero-copy codec, or build one from a pair of functions with <c>Codec.create</c>.
/// A codec may throw on bad input: the wire format contains the failure and names the key.
/// </summary>
[<AbstractClass>]
type Codec<'T>() =
    inherit Codec()
    /// <summary>Writes the payload of a value.</summary>
    abstract Write: value: 'T * writer: IBufferWriter<byte> -> unit
    /// <summary>Reads a value from its whole payload. Throws on malformed input.</summary>
    abstract Read: payload: ReadOnlySpan<byte> -> 'T
    override this.WriteBoxed(value, writer) = this.Write(unbox<'T> value, writer)
    override this.ReadBoxed payload = box (this.Read payload)

/// A codec over byte arrays, from a pair of functions.
[<Sealed>]
type internal FunctionCodec<'T>(encode: 'T -> byte[], decode: byte[] -> 'T) =
    inherit Codec<'T>()
    override _.Write(value, writer) = writer.Write(ReadOnlySpan(encode value))
    override _.Read payload = decode (payload.ToArray())

/// UTF-8; a null string is the single byte 0xFF, which never occurs in UTF-8.
[<Sealed>]
type internal StringCodec() =
    inherit Codec<string>()
    static let utf8 = UTF8Encoding(false, true)
    override _.Write(value, writer) =
        if isNull value then writer.Write(ReadOnlySpan [| 0xFFuy |])
        else
            let span = writer.GetSpan(utf8.GetMaxByteCount value.Length)
            writer.Advance(utf8.GetBytes(value.AsSpan(), span))
    override _.Read payload =
        if payload.Length = 1 && payload[0] = 0xFFuy then null else utf8.GetString payload
    override _.PayloadLength value =
        match value with
        | null -> 1
        | value -> utf8.GetByteCount(value :?> string)

[<Sealed>]
type internal BytesCodec() =
    inherit Codec<byte[]>()
    override _.Write(value, writer) = writer.Write(ReadOnlySpan(if isNull value then [||] else value))
    override _.Read payload = payload.ToArray()
    override _.PayloadLength value = match value with null -> 0 | value -> (value :?> byte[]).Length

/// Whole payload must be exactly one varint.
[<Sealed>]
type internal VarintCodec<'T>(toWire: 'T -> uint64, ofWire: uint64 -> 'T) =
    inherit Codec<'T>()
    override _.Write(value, writer) = Varint.write writer (toWire value)
    override _.PayloadLength value = Varint.length (toWire (unbox<'T> value))
    override _.Read payload =
        let mutable position = 0
        let mutable value = 0UL
        if not (Varint.tryRead payload &position &value) || position <> payload.Length then
            raise (FormatException "not a single well-formed varint")
        ofWire value

type internal FixedWriter<'T> = delegate of Span<byte> * 'T -> unit
type internal FixedReader<'T> = delegate of ReadOnlySpan<byte> -> 'T

/// Fixed-width little-endian values.
[<Sealed>]
type internal FixedCodec<'T>(width: int, write: FixedWriter<'T>, read: FixedReader<'T>) =
    inherit Codec<'T>()
    override _.Write(value, writer) =
        write.Invoke(writer.GetSpan width, value)
        writer.Advance width
    override _.Read payload =
        if payload.Length <> width then raise (FormatException $"expected {width} bytes, found {payload.Length}")
        read.Invoke payload
    override _.PayloadLength _ = width

/// System.Text.Json, with FSharp.SystemTextJson for records, unions, options, lists and maps.
[<Sealed>]
type internal JsonCodec<'T>() =
    inherit Codec<'T>()
    static let options =
        let options = JsonSerializerOptions()
        options.Converters.Add(JsonFSharpConverter())
        options
    static member Options = options
    override _.Write(value, writer) =
        use json = new Utf8JsonWriter(writer)
        JsonSerializer.Serialize<'T>(json, value, options)
    override _.Read payload = JsonSerializer.Deserialize<'T>(payload, (options: JsonSerializerOptions))

/// <summary>Codecs: the built-in ones and ways to make your own. The encoding each type gets is
/// part of the wire format (see docs/wire-format.md).</summary>
[<RequireQualifiedAccess>]
module Codec =

    let private signed (toInt64: 'T -> int64) (ofInt64: int64 -> 'T) : Codec<'T> =
        VarintCodec<'T>((fun v -> Varint.zigzag (toInt64 v)), (fun w -> ofInt64 (Varint.unzigzag w)))
    let private unsigned (toUInt64: 'T -> uint64) (ofUInt64: uint64 -> 'T) : Codec<'T> =
        VarintCodec<'T>(toUInt64, ofUInt64)
    let private checkedOf (low: int64) (high: int64) (convert: int64 -> 'T) (value: int64) =
        if value < low || value > high then raise (OverflowException "value out of range for the key's type")
        convert value

    let private builtIn : Map<string, Codec> =
        let entry (codec: Codec<'T>) = typeof<'T>.FullName, (codec :> Codec)
        Map.ofList [
            entry (StringCodec())
            entry (BytesCodec())
            entry (FixedCodec<bool>(1, FixedWriter(fun s v -> s[0] <- (if v then 1uy else 0uy)),
                                   (fun s -> match s[0] with 0uy -> false | 1uy -> true | _ -> raise (FormatException "bool must be 0 or 1"))))
            entry (signed int64 id)
            entry (signed int64 (checkedOf (int64 Int32.MinValue) (int64 Int32.MaxValue) int32))
            entry (signed int64 (checkedOf (int64 Int16.MinValue) (int64 Int16.MaxValue) int16))
            entry (signed int64 (checkedOf (int64 SByte.MinValue) (int64 SByte.MaxValue) sbyte))
            entry (unsigned id id)
            entry (unsigned uint64 (fun v -> if v > uint64 UInt32.MaxValue then raise (OverflowException "value out of range") else uint32 v))
            entry (unsigned uint64 (fun v -> if v > uint64 UInt16.MaxValue then raise (OverflowException "value out of range") else uint16 v))
            entry (unsigned uint64 (fun v -> if v > uint64 Byte.MaxValue then raise (OverflowException "value out of range") else byte v))
            entry (FixedCodec<double>(8, FixedWriter(fun s v -> BinaryPrimitives.WriteDoubleLittleEndian(s, v)), (fun s -> BinaryPrimitives.ReadDoubleLittleEndian s)))
            entry (FixedCodec<single>(4, FixedWriter(fun s v -> BinaryPrimitives.WriteSingleLittleEndian(s, v)), (fun s -> BinaryPrimitives.ReadSingleLittleEndian s)))
            entry (FixedCodec<Guid>(16, FixedWriter(fun s v -> v.TryWriteBytes s |> ignore), (fun s -> Guid s)))
            entry (FixedCodec<TimeSpan>(8, FixedWriter(fun s v -> BinaryPrimitives.WriteInt64LittleEndian(s, v.Ticks)),
                                        (fun s -> TimeSpan(BinaryPrimitives.ReadInt64LittleEndian s))))
            entry (FixedCodec<DateTime>(8, FixedWriter(fun s v -> BinaryPrimitives.WriteInt64LittleEndian(s, v.ToBinary())),
                                        (fun s -> DateTime.FromBinary(BinaryPrimitives.ReadInt64LittleEndian s))))
            entry (FixedCodec<DateTimeOffset>(10,
                    FixedWriter(fun s v ->
                        BinaryPrimitives.WriteInt64LittleEndian(s, v.Ticks)
                        BinaryPrimitives.WriteInt16LittleEndian(s.Slice 8, int16 v.Offset.TotalMinutes)),
                    (fun s ->
                        DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian s,
                                       TimeSpan.FromMinutes(float (BinaryPrimitives.ReadInt16LittleEndian(s.Slice 8)))))))
        ]

    /// <summary>The codec a key of type <c>'T</c> gets unless it is given its own: a compact
    /// built-in encoding for strings, integers, bool, floating point, Guid, dates, times and byte arrays;
    /// System.Text.Json (with F# records, unions, options, lists and maps) for everything else.</summary>
    [<CompiledName("Default")>]
    let defaultFor<'T> : Codec<'T> =
        match builtIn.TryFind typeof<'T>.FullName with
        | Some codec -> codec :?> Codec<'T>
        | None -> JsonCodec<'T>() :> Codec<'T>

    /// <summary>The System.Text.Json codec for <c>'T</c>, whatever the type.</summary>
    [<CompiledName("Json")>]
    let json<'T> : Codec<'T> = JsonCodec<'T>()

    /// <summary>A codec from an encode and a decode function over byte arrays. Either may throw:
    /// the failure is reported for the key, never passed on.</summary>
    [<CompiledName("Create")>]
    let create (encode: 'T -> byte[]) (decode: byte[] -> 'T) : Codec<'T> = FunctionCodec<'T>(encode, decode)
