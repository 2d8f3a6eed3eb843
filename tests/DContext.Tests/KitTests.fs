/// The consumer test kit (src/DContext.Testing), on this project's own keys (dogfooding) and on
/// deliberately broken keys it must catch with a shrunk counterexample.
module DistributedContext.Tests.KitTests

open System
open System.Text
open Expecto
open FsCheck
open FsCheck.FSharp
open DistributedContext
open DistributedContext.Testing
open DistributedContext.Tests.Generators

type TraceV1 = { TraceId: string; Name: string }
type TraceV2 = { TraceId: string; Name: string; Sampled: bool }

let private ownKeys =
    [ KeySpec.Of Keys.text; KeySpec.Of Keys.number; KeySpec.Of Keys.big; KeySpec.Of Keys.flag
      KeySpec.Of Keys.tenant; KeySpec.Of Keys.plan; KeySpec.Of Keys.secret; KeySpec.Of Keys.id
      KeySpec.Of Keys.deadline; KeySpec.Of Keys.index
      KeySpec.Of(Keys.blob, ArbMap.defaults |> ArbMap.generate<byte[]> |> Gen.map (fun b -> if isNull b then [||] else b)) ]

/// Runs a law that must fail; returns FsCheck's message.
let private failureOf name property =
    try
        ContextLawChecker.Check(name, property, 200)
        failtest $"the law '{name}' should have failed"
    with error when not (error :? AssertException) -> error.Message

let tests =
    testList "Testing kit" [
        testList "dogfooding: the kit's laws hold for this project's keys" [
            for name, property in ContextLaws.all ownKeys [] -> testPropertyWithConfig config name property
        ]

        test "a deliberately broken codec is caught, naming the key, with the shrunk counterexample" {
            let broken =
                ContextKey.registerWith<string> "kit.broken" (fun o ->
                    o.Codec((fun s -> Encoding.UTF8.GetBytes(if isNull s then "" else s)),
                            (fun bytes -> let s = Encoding.UTF8.GetString bytes in if s.Length > 3 then s.Substring(0, 3) else s)))
            let message = failureOf "round trip" (ContextLaws.codecRoundTrip (KeySpec.Of broken))
            Expect.stringContains message "'kit.broken'" "names the key"
            Expect.stringContains message "Shrunk" "shows the shrunk counterexample"
        }

        test "a migration that drops a field is caught, with the shrunk counterexample" {
            let trace = ContextKey.registerWith<TraceV2> "kit.trace" (fun o -> o.Version 2)
            ContextKey.registerMigration<TraceV1, TraceV2> "kit.trace" 1 (fun v1 -> { TraceId = v1.TraceId; Name = ""; Sampled = true })
            let spec = MigrationSpec.From<TraceV1, TraceV2>(trace, 1, Func<_, _>(fun v1 -> { TraceId = v1.TraceId; Name = v1.Name; Sampled = true }))
            let message = failureOf "migration" (ContextLaws.migration spec)
            Expect.stringContains message "'kit.trace'" "names the key"
            Expect.stringContains message "Shrunk" "shows the shrunk counterexample"
        }

        test "a correct migration passes" {
            let trace = ContextKey.registerWith<TraceV2> "kit.trace.ok" (fun o -> o.Version 2)
            ContextKey.registerMigration<TraceV1, TraceV2> "kit.trace.ok" 1 (fun v1 -> { TraceId = v1.TraceId; Name = v1.Name; Sampled = true })
            let spec = MigrationSpec.From<TraceV1, TraceV2>(trace, 1, Func<_, _>(fun v1 -> { TraceId = v1.TraceId; Name = v1.Name; Sampled = true }))
            ContextLawChecker.Check("migration", ContextLaws.migration spec, 200)
        }

        test "a key whose values exceed the limits is caught, naming the key" {
            let big = ContextKey.register<string> "kit.big"
            let values = Gen.choose (1, 12_000) |> Gen.map (fun n -> String('x', n))
            let message = failureOf "fits the limits" (ContextLaws.fitsLimits ContextLimits.Default [ KeySpec.Of(big, values, fun s -> seq { for cut in [ s.Length / 2; 1000; 100; 10; 1 ] do if cut > 0 && cut < s.Length then yield s.Substring(0, s.Length - cut) }) ])
            Expect.stringContains message "'kit.big'" "names the key"
            Expect.stringContains message "Shrunk" "shows the shrunk counterexample"
        }

        test "a lossy downgrade during a rollout is caught" {
            let rollout =
                ContextKey.registerWith<TraceV2> "kit.rollout" (fun o ->
                    o.Version(2).WriteVersion<TraceV1>(1, Func<_, _>(fun v2 -> { TraceId = v2.TraceId; Name = v2.Name })))
            ContextKey.registerMigration<TraceV1, TraceV2> "kit.rollout" 1 (fun v1 -> { TraceId = v1.TraceId; Name = v1.Name; Sampled = true })
            let message = failureOf "downgrade" (ContextLaws.downgrade (KeySpec.Of rollout))
            Expect.stringContains message "'kit.rollout'" "names the key (Sampled=false is lost by the downgrade)"
        }
    ]
