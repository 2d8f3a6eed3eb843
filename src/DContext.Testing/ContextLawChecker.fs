namespace DistributedContext.Testing

open System
open System.Collections.Generic
open FsCheck
open DistributedContext

/// <summary>
/// The C# entry point: checks every law for your keys and migrations, and throws (with the law's
/// name, the key and FsCheck's shrunk counterexample) on the first failure. Call it from any test
/// framework: <c>ContextLawChecker.Verify(new[] { KeySpec.Of(RequestId) }, maxTest: 200);</c>
/// </summary>
[<AbstractClass; Sealed>]
type ContextLawChecker =

    /// <summary>Checks one named property; throws with the counterexample on failure.</summary>
    static member Check(name: string, property: Property, ?maxTest: int) =
        let config = Config.QuickThrowOnFailure.WithMaxTest(defaultArg maxTest 100).WithName(name)
        try
            Check.One(config, property)
        with error ->
            raise (Exception($"Law failed: {name}\n{error.Message}", error))

    /// <summary>Checks every law (round trip, downgrade, migrations, limits, forward compatibility, rollback).</summary>
    static member Verify(keys: IEnumerable<KeySpec>, ?migrations: IEnumerable<MigrationSpec>, ?maxTest: int) =
        let migrations = defaultArg migrations Seq.empty |> List.ofSeq
        for name, property in ContextLaws.all (List.ofSeq keys) migrations do
            ContextLawChecker.Check(name, property, defaultArg maxTest 100)
