module DistributedContext.Tests.CodecTests

open System
open System.Buffers
open Expecto
open FsCheck
open DistributedContext
open DistributedContext.Tests.Generators

let private encode (codec: Codec<'T>) (value: 'T) =
    let buffer = ArrayBufferWriter<byte>()
    codec.Write(value, buffer)
    buffer.WrittenSpan.ToArray()

let private decode (codec: Codec<'T>) (bytes: byte[]) = codec.Read(ReadOnlySpan bytes)

let private roundTrips<'T when 'T: equality> name =
    testPropertyWithConfig config $"round trip: the default {name} codec decodes what it encodes" (fun (value: 'T) ->
        let codec = Codec.defaultFor<'T>
        decode codec (encode codec value) = value)

let tests =
    testList "Codec" [
        roundTrips<string> "string"
        roundTrips<int> "int32"
        roundTrips<int64> "int64"
        roundTrips<uint64> "uint64"
        roundTrips<int16> "int16"
        roundTrips<byte> "byte"
        roundTrips<bool> "bool"
        roundTrips<Guid> "Guid"
        roundTrips<DateTimeOffset> "DateTimeOffset"
        roundTrips<TimeSpan> "TimeSpan"
        roundTrips<Tenant> "record (JSON)"
        roundTrips<Plan> "union (JSON)"
        roundTrips<Map<string, int list>> "map of lists (JSON)"
        roundTrips<string option> "option (JSON)"

        testPropertyWithConfig config "round trip: doubles, NaN included, keep their bits" (fun (value: float) ->
            let codec = Codec.defaultFor<float>
            BitConverter.DoubleToInt64Bits(decode codec (encode codec value)) = BitConverter.DoubleToInt64Bits value)

        testPropertyWithConfig config "round trip: byte arrays" (fun (value: byte[]) ->
            let value = if isNull value then [||] else value
            decode Codec.defaultFor<byte[]> (encode Codec.defaultFor<byte[]> value) = value)

        test "strings are UTF-8 and null is the byte 0xFF" {
            Expect.equal (encode Codec.defaultFor<string> "é") [| 0xC3uy; 0xA9uy |] "UTF-8"
            Expect.equal (encode Codec.defaultFor<string> null) [| 0xFFuy |] "null marker"
            Expect.isNull (decode Codec.defaultFor<string> [| 0xFFuy |]) "null back"
        }

        test "integers are zigzag varints" {
            Expect.equal (encode Codec.defaultFor<int> 0) [| 0uy |] "0"
            Expect.equal (encode Codec.defaultFor<int> -1) [| 1uy |] "-1"
            Expect.equal (encode Codec.defaultFor<int> 150) [| 0xACuy; 0x02uy |] "150 → 300 zigzag"
        }

        test "malformed payloads throw, never misread" {
            Expect.throws (fun () -> decode Codec.defaultFor<int> [| 0x80uy |] |> ignore) "truncated varint"
            Expect.throws (fun () -> decode Codec.defaultFor<int> (encode Codec.defaultFor<int64> Int64.MaxValue) |> ignore) "int32 overflow"
            Expect.throws (fun () -> decode Codec.defaultFor<bool> [| 2uy |] |> ignore) "bool out of range"
            Expect.throws (fun () -> decode Codec.defaultFor<Guid> [| 1uy |] |> ignore) "short Guid"
            Expect.throws (fun () -> decode Codec.defaultFor<string> [| 0xC3uy |] |> ignore) "invalid UTF-8"
        }

        test "a codec from functions uses them" {
            let codec = Codec.create (fun (n: int) -> [| byte n |]) (fun bytes -> int bytes[0] * 2)
            Expect.equal (decode codec (encode codec 21)) 42 "custom functions"
        }
    ]
