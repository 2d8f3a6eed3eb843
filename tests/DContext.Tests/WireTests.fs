module DistributedContext.Tests.WireTests

open System
open System.Collections.Generic
open System.IO
open System.Text
open Expecto
open FsCheck
open FsCheck.FSharp
open DistributedContext
open DistributedContext.Tests.Generators

let private ok result =
    match result with
    | Ok value -> value
    | Error(error: ContextError) -> failtest error.Message

let private kindOf result =
    match result with
    | Ok _ -> None
    | Error(error: ContextError) -> Some error.Kind

let private contains (haystack: byte[]) (needle: byte[]) =
    haystack.AsSpan().IndexOf(ReadOnlySpan needle) >= 0

/// A registry standing for another process, with its own view of key "fc.*" names.
let private registryWith (configure: KeyRegistry -> unit) =
    let registry = KeyRegistry()
    configure registry
    registry

let private register<'T> (registry: KeyRegistry) name (configure: ContextKeyOptions<'T> -> ContextKeyOptions<'T>) =
    match registry.TryRegister(name, configure (ContextKeyOptions<'T>())) with
    | Ok key -> key
    | Error error -> failwith error.Message

let private hex (bytes: byte[]) = Convert.ToHexString bytes

let tests =
    testList "Wire" [
        testList "laws" [
            law "round trip: decode (encode c) = c without its local-only entries" (fun (ops: ContextOp list) ->
                let context = List.fold apply Context.empty ops
                let decoded = Wire.encode context |> ok |> Wire.decode |> ok
                decoded = Context.remove Keys.secret context)

            law "round trip: the string form too, and re-encoding is byte for byte" (fun (ops: ContextOp list) ->
                let context = List.fold apply Context.empty ops
                let text = Wire.encodeToString context |> ok
                let decoded = Wire.decodeString text |> ok
                decoded = Context.remove Keys.secret context && (Wire.encodeToString decoded |> ok) = text)

            law "local stays local: the bytes never hold a local-only entry, not even its name" (fun (ops: ContextOp list) (NonEmptyString secret) ->
                let context = List.fold apply Context.empty ops |> Context.set Keys.secret ("S3CR3T" + secret)
                let bytes = Wire.encode context |> ok
                not (contains bytes (Encoding.UTF8.GetBytes "test.secret"))
                && not (contains bytes (Encoding.UTF8.GetBytes("S3CR3T" + secret))))

            law "forward compatibility: a middle tier that lacks a key carries it through unchanged" (fun (ops: ContextOp list) (value: Tenant) ->
                let context = List.fold apply Context.empty ops |> Context.set Keys.tenant value
                let middle = WireOptions.Default.WithRegistry(KeyRegistry())   // knows no key at all
                let relayed = Wire.decodeWith middle (ReadOnlySpan(Wire.encode context |> ok)) |> ok
                Context.count relayed.Context = 0
                && (Wire.encode relayed.Context |> ok |> Wire.decode |> ok) = Context.remove Keys.secret context)

            testPropertyWithConfig config "migration: bytes written at v1 decode at v3 through v1→v2→v3" (fun (value: int) ->
                let writer = registryWith ignore
                let old = register<int> writer "fc.migrated" id
                let reader = registryWith (fun registry ->
                    registry.RegisterMigration<int, int64>("fc.migrated", 1, Codec.defaultFor<int>, fun v -> int64 v * 10L)
                    registry.RegisterMigration<int64, string>("fc.migrated", 2, Codec.defaultFor<int64>, fun v -> $"#{v}"))
                let current = register<string> reader "fc.migrated" (fun o -> o.Version 3)
                let bytes = Wire.encode (Context.set old value Context.empty) |> ok
                let decoded = Wire.decodeWith (WireOptions.Default.WithRegistry reader) (ReadOnlySpan bytes) |> ok
                Context.get current decoded.Context = $"#{int64 value * 10L}" && decoded.Quarantined.Count = 0)
        ]

        test "forward compatibility: an entry of a newer version is kept opaque, invisible to Get, and written back" {
            let newWriter = registryWith ignore
            let v2 = register<Tenant> newWriter "fc.tenant" (fun o -> o.Version 2)
            let oldMiddle = registryWith ignore
            let v1 = register<string> oldMiddle "fc.tenant" id
            let bytes = Wire.encode (Context.set v2 { Id = 1; Name = "acme"; Tags = [ "a" ] } Context.empty) |> ok
            let relayed = Wire.decodeWith (WireOptions.Default.WithRegistry oldMiddle) (ReadOnlySpan bytes) |> ok
            Expect.isNone (Context.tryGet v1 relayed.Context) "invisible to the old reader"
            Expect.equal (Wire.encode relayed.Context |> ok) bytes "written back byte for byte"
            let replaced = Context.set v1 "local" relayed.Context
            Expect.isFalse (contains (Wire.encode replaced |> ok) (Encoding.UTF8.GetBytes "acme")) "a local set replaces the opaque entry"
        }

        test "rolling upgrade: a key can keep writing an older version that old readers read" {
            let upgraded = registryWith ignore
            let v2 = register<Tenant> upgraded "fc.rollout" (fun o -> o.Version(2).WriteVersion<string>(1, fun t -> t.Name))
            let old = registryWith ignore
            let v1 = register<string> old "fc.rollout" id
            let bytes = Wire.encode (Context.set v2 { Id = 1; Name = "acme"; Tags = [] } Context.empty) |> ok
            let decoded = Wire.decodeWith (WireOptions.Default.WithRegistry old) (ReadOnlySpan bytes) |> ok
            Expect.equal (Context.get v1 decoded.Context) "acme" "old reader reads the downgraded value"
        }

        test "a missing migration quarantines the entry and keeps the rest" {
            let writer = registryWith ignore
            let old = register<int> writer "fc.nomigration" id
            let other = register<string> writer "fc.other" id
            let reader = registryWith ignore
            let current = register<string> reader "fc.nomigration" (fun o -> o.Version 2)
            let otherHere = register<string> reader "fc.other" id
            let bytes = Wire.encode (Context.empty |> Context.set old 5 |> Context.set other "kept") |> ok
            let decoded = Wire.decodeWith (WireOptions.Default.WithRegistry reader) (ReadOnlySpan bytes) |> ok
            Expect.isNone (Context.tryGet current decoded.Context) "bad entry dropped"
            Expect.equal (Context.get otherHere decoded.Context) "kept" "rest kept"
            Expect.equal [ for e in decoded.Quarantined -> e.Kind ] [ ContextErrorKind.DeserializationFailed ] "reported"
            Expect.stringContains decoded.Quarantined[0].Message "'fc.nomigration'" "names the key"
            let strict = Wire.decodeWith (WireOptions.Default.WithRegistry(reader).WithStrict true) (ReadOnlySpan bytes)
            Expect.equal (kindOf strict) (Some ContextErrorKind.DeserializationFailed) "strict mode fails the whole decode"
        }

        test "a codec that fails on decode is quarantined, naming the key but never the value" {
            let writer = registryWith ignore
            let key = register<string> writer "fc.badcodec" id
            let reader = registryWith ignore
            register<string> reader "fc.badcodec" (fun o -> o.Codec((fun s -> Encoding.UTF8.GetBytes(s: string)), (fun _ -> failwith "boom"))) |> ignore
            let bytes = Wire.encode (Context.set key "topsecretvalue" Context.empty) |> ok
            let decoded = Wire.decodeWith (WireOptions.Default.WithRegistry reader) (ReadOnlySpan bytes) |> ok
            let message = decoded.Quarantined[0].Message
            Expect.stringContains message "'fc.badcodec'" "names the key"
            Expect.isFalse (message.Contains "topsecretvalue") "never the value"
        }

        test "an inbound entry for a key that is local-only here is refused and reported as LocalOnlyKey" {
            let peer = registryWith ignore
            let sneaky = register<string> peer "test.secret" id
            let bytes = Wire.encode (Context.empty |> Context.set sneaky "injected" |> Context.set Keys.text "fine") |> ok
            let decoded = Wire.decodeWith WireOptions.Default (ReadOnlySpan bytes) |> ok
            Expect.isNone (Context.tryGet Keys.secret decoded.Context) "not injected"
            Expect.equal (Context.get Keys.text decoded.Context) "fine" "rest kept"
            Expect.equal [ for e in decoded.Quarantined -> e.Kind ] [ ContextErrorKind.LocalOnlyKey ] "reported"
        }

        test "encoding a local-only key explicitly is LocalOnlyKey" {
            Expect.equal (kindOf (Wire.encodeValue Keys.secret "x")) (Some ContextErrorKind.LocalOnlyKey) "refused"
            Expect.equal (Wire.encodeValue Keys.text "é" |> ok) [| 0xC3uy; 0xA9uy |] "a serializable key's payload"
        }

        testList "limits" [
            test "encode: too many entries, too deep a chain, too many bytes are ContextTooLarge naming the largest entries" {
                let keys = [ for i in 1..70 -> ContextKey.register<string> $"limits.k{i}" ]
                let many = keys |> List.fold (fun c k -> Context.set k "v" c) Context.empty
                Expect.equal (kindOf (Wire.encode many)) (Some ContextErrorKind.ContextTooLarge) "70 entries > 64"
                let deep = Seq.fold (fun c i -> Context.enterScope $"s{i}" c) Context.empty [ 1..65 ]
                Expect.equal (kindOf (Wire.encode deep)) (Some ContextErrorKind.ContextTooLarge) "65 scopes > 64"
                let big = Context.empty |> Context.set Keys.text (String('x', 9000)) |> Context.set Keys.number 1
                match Wire.encode big with
                | Error error ->
                    Expect.equal error.Kind ContextErrorKind.ContextTooLarge "9000 bytes > 8192"
                    Expect.stringContains error.Message "'test.text'" "names the largest entry"
                | Ok _ -> failtest "expected ContextTooLarge"
            }

            test "a context just under the size limit round-trips" {
                let overhead = (Wire.encode (Context.set Keys.text "" Context.empty) |> ok).Length
                let fits = Context.set Keys.text (String('x', 8192 - overhead - 1)) Context.empty
                let bytes = Wire.encode fits |> ok
                Expect.isLessThanOrEqual bytes.Length 8192 "fits"
                Expect.equal (Wire.decode bytes |> ok) fits "round trip"
            }

            test "decode: limits are checked before allocating what the input claims" {
                // header, 0 scopes, then a claim of 2^32 entries in 7 bytes.
                let claim = [| 1uy; 0uy; 0uy; 0x80uy; 0x80uy; 0x80uy; 0x80uy; 0x10uy |]
                Expect.equal (kindOf (Wire.decode claim)) (Some ContextErrorKind.ContextTooLarge) "declared count"
                let longName = [| 1uy; 0uy; 0uy; 1uy; 0xFFuy; 0xFFuy; 0xFFuy; 0xFFuy; 0x07uy |]
                Expect.equal (kindOf (Wire.decode longName)) (Some ContextErrorKind.DeserializationFailed) "declared length beyond the input"
                Expect.equal (kindOf (Wire.decode (Array.zeroCreate 9000))) (Some ContextErrorKind.ContextTooLarge) "input over MaxContextSize"
                Expect.equal (kindOf (Wire.decodeString (String('A', 20000)))) (Some ContextErrorKind.ContextTooLarge) "string over the limit"
                let small = WireOptions.Default.WithLimits(ContextLimits.Default.WithMaxEntries 1)
                let two = Wire.encode (Context.empty |> Context.set Keys.text "a" |> Context.set Keys.number 1) |> ok
                Expect.equal (kindOf (Wire.decodeWith small (ReadOnlySpan two))) (Some ContextErrorKind.ContextTooLarge) "MaxEntries on decode"
            }
        ]

        testList "format" [
            test "an empty context is the empty byte string, and empty input decodes to the empty context" {
                Expect.equal (Wire.encode Context.empty |> ok) [||] "empty bytes"
                Expect.equal (Wire.decode [||] |> ok) Context.empty "empty input"
                Expect.equal (Wire.decodeString null |> ok) Context.empty "null header"
                Expect.equal (Wire.decodeString "" |> ok) Context.empty "empty header"
            }

            test "a newer format version is reported, not misread" {
                match Wire.decode [| 2uy; 0uy; 0uy; 0uy |] with
                | Error error ->
                    Expect.equal error.Kind ContextErrorKind.DeserializationFailed "kind"
                    Expect.stringContains error.Message "newer" "says it is newer"
                | Ok _ -> failtest "expected an error"
            }

            test "the string form is base64url without padding" {
                let text = Wire.encodeToString (Context.empty |> Context.set Keys.text "?>~ \u00ff" |> Context.enterScope "edge") |> ok
                Expect.all text (fun c -> Char.IsAsciiLetterOrDigit c || c = '-' || c = '_') "header-safe alphabet"
            }

            test "golden vectors decode and re-encode byte for byte" {
                let golden = Path.Combine(__SOURCE_DIRECTORY__, "golden")
                let cases =
                    [ "empty-with-scope", Context.enterScope "edge" Context.empty
                      "strings-and-ints", Context.empty |> Context.set Keys.text "hello" |> Context.set Keys.number -150 |> Context.set Keys.big Int64.MaxValue
                      "record-union-scopes",
                        Context.empty |> Context.set Keys.tenant { Id = 7; Name = "acme"; Tags = [ "eu"; "gold" ] }
                        |> Context.set Keys.plan (Enterprise("c-1", 50)) |> Context.set Keys.flag true
                        |> Context.enterScope "edge" |> Context.enterScope "api"
                      "binary-values",
                        Context.empty |> Context.set Keys.id (Guid "0f8fad5b-d9cb-469f-a165-70867728950e")
                        |> Context.set Keys.deadline (DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.FromHours 1.0))
                        |> Context.set Keys.blob [| 0uy; 1uy; 255uy |] |> Context.set Keys.ratio 0.5 ]
                for name, context in cases do
                    let path = Path.Combine(golden, $"{name}.hex")
                    if not (File.Exists path) then
                        File.WriteAllText(path, hex (Wire.encode context |> ok) + "\n")
                        failtest $"golden vector {name} was missing and has been written: review and commit it"
                    let expected = File.ReadAllText(path).Trim()
                    Expect.equal (hex (Wire.encode context |> ok)) expected $"{name}: encoding unchanged"
                    let decoded = Wire.decode (Convert.FromHexString expected) |> ok
                    Expect.equal decoded context $"{name}: decodes to the same context"
                    Expect.equal (hex (Wire.encode decoded |> ok)) expected $"{name}: re-encodes byte for byte"
            }
        ]

        testList "containment" [
            test "fuzz: 100,000 mutated inputs give a context or DeserializationFailed/ContextTooLarge, never an exception" {
                // The same mutator as the long-running harness (tests/DContext.Fuzz), with a fixed seed.
                let failures = DistributedContext.Fuzz.Mutator.run 20261204 100_000L ignore
                Expect.isEmpty (List.truncate 3 failures) "no exception escaped, no other error kind"
                let accepted = DistributedContext.Fuzz.Mutator.seeds |> Array.filter (fun seed -> DistributedContext.Fuzz.Mutator.check seed = DistributedContext.Fuzz.Mutator.Accepted)
                Expect.equal accepted.Length DistributedContext.Fuzz.Mutator.seeds.Length "every seed decodes"
            }

            testPropertyWithConfig config "containment: any byte string decodes or fails with a wire error" (fun (bytes: byte[]) ->
                let bytes = if isNull bytes then [||] else bytes
                match Wire.decode bytes with
                | Ok _ -> true
                | Error error -> error.Kind = ContextErrorKind.DeserializationFailed || error.Kind = ContextErrorKind.ContextTooLarge)

            testPropertyWithConfig config "containment: any header string decodes or fails with a wire error" (fun (text: string) ->
                match Wire.decodeString text with
                | Ok _ -> true
                | Error error -> error.Kind = ContextErrorKind.DeserializationFailed || error.Kind = ContextErrorKind.ContextTooLarge)
        ]

        testList "ambient" [
            test "Deserialize lays the decoded values over the current context; decoded scopes come first" {
                let incoming = Context.empty |> Context.set Keys.text "from-edge" |> Context.enterScope "edge" |> Context.enterScope "api"
                let bytes = Wire.encode incoming |> ok
                AmbientTests.clean (fun () ->
                    use _ = Ambient.enterNamedScope "worker"
                    Ambient.set Keys.number 5
                    Ambient.set Keys.text "local"
                    do
                        use _ = Ambient.deserialize (ReadOnlySpan bytes)
                        Expect.equal (Ambient.get Keys.text) "from-edge" "decoded value wins"
                        Expect.equal (Ambient.get Keys.number) 5 "local value kept"
                        Expect.equal (Ambient.scopeChain ()) [ "edge"; "api"; "worker" ] "decoded chain first"
                    Expect.equal (Ambient.get Keys.text) "local" "restored after the scope")
            }

            test "Inject and Extract carry the context through a header dictionary" {
                let headers = Dictionary<string, string>()
                AmbientTests.clean (fun () ->
                    Ambient.set Keys.text "req-9"
                    Ambient.set Keys.secret "never-sent"
                    Ambient.inject headers (fun carrier name value -> carrier[name] <- value))
                Expect.isTrue (headers.ContainsKey Wire.HeaderName) "header written"
                AmbientTests.clean (fun () ->
                    use _ = Ambient.extract headers (fun carrier name -> match carrier.TryGetValue name with | true, v -> v | _ -> null)
                    Expect.equal (Ambient.get Keys.text) "req-9" "value carried"
                    Expect.isNone (Ambient.tryGet Keys.secret) "local-only stayed home")
                AmbientTests.clean (fun () ->
                    use _ = Ambient.extract (Dictionary<string, string>()) (fun carrier name -> match carrier.TryGetValue name with | true, v -> v | _ -> null)
                    Expect.equal (Ambient.capture ()).Count 0 "a missing header decodes to nothing")
            }

            test "a bad header throws DeserializationFailed and enters nothing" {
                AmbientTests.clean (fun () ->
                    let before = Ambient.capture ()
                    let error = Expect.throwsC (fun () -> Ambient.deserializeFromString "!!!" |> ignore) id
                    Expect.equal (error :?> ContextException).Kind ContextErrorKind.DeserializationFailed "kind"
                    Expect.isTrue (obj.ReferenceEquals(before, Ambient.capture ())) "nothing entered")
            }
        ]
    ]
