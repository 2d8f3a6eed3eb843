namespace DistributedContext

open System
open System.Buffers

/// LEB128 unsigned varints (7 bits a byte, low group first, high bit = more follows), and
/// zigzag for signed integers: the integer encoding of the wire format and the built-in codecs.
[<RequireQualifiedAccess>]
module internal Varint =

    /// The longest varint of a 64-bit value.
    [<Literal>]
    let MaxLength = 10

    let write (writer: IBufferWriter<byte>) (value: uint64) =
        let span = writer.GetSpan MaxLength
        let mutable rest = value
        let mutable length = 0
        while rest >= 0x80UL do
            span[length] <- byte (rest ||| 0x80UL)
            rest <- rest >>> 7
            length <- length + 1
        span[length] <- byte rest
        writer.Advance(length + 1)

    let length (value: uint64) =
        let mutable rest = value
        let mutable length = 1
        while rest >= 0x80UL do
            rest <- rest >>> 7
            length <- length + 1
        length

    /// Reads at `position`, advancing it; false on a truncated or over-long varint.
    let tryRead (input: ReadOnlySpan<byte>) (position: byref<int>) (value: byref<uint64>) : bool =
        let mutable result = 0UL
        let mutable shift = 0
        let mutable ok = false
        let mutable going = true
        while going do
            if position >= input.Length || shift > 63 then
                going <- false
            else
                let b = input[position]
                position <- position + 1
                if shift = 63 && b > 1uy then
                    going <- false
                else
                    result <- result ||| (uint64 (b &&& 0x7Fuy) <<< shift)
                    if b < 0x80uy then
                        ok <- true
                        going <- false
                    else
                        shift <- shift + 7
        value <- result
        ok

    let inline zigzag (value: int64) = uint64 ((value <<< 1) ^^^ (value >>> 63))
    let inline unzigzag (value: uint64) = int64 (value >>> 1) ^^^ -(int64 (value &&& 1UL))
