namespace DistributedContext.Testing

open System
open System.Collections.Generic
open System.Runtime.InteropServices
open FsCheck
open DistributedContext

/// <summary>
/// The C# entry point: checks every law for your keys and migrations, and throws (with the law's
/// name, the key and FsCheck's shrunk counterexample) on the first failure. Call it from any test
/// framework: <c>ContextLawChecker.Verify(new[] { KeySpec.Of(RequestId) }, maxTest: 200);</c>
/// </summary>
[<AbstractClass; Sealed>]
type ContextLawChecker =

    /// <summary>Checks one named property with <paramref name="maxTest"/> cases.</summary>
    /// <exception cref="T:System.Exception">When the property fails: the message has the law, the key and the counterexample.</exception>
    static member Check(name: string, property: Property, [<Optional; DefaultParameterValue(100)>] maxTest: int) =
        let config = Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithName(name)
        try
            Check.One(config, property)
        with error ->
            raise (Exception($"Law failed: {name}\n{error.Message}", error))

    /// <summary>Checks every law (round trip, downgrade, migrations, limits, forward compatibility, rollback).</summary>
    /// <exception cref="T:System.Exception">On the first failing law.</exception>
    static member Verify(keys: IEnumerable<KeySpec>,
                         [<Optional; DefaultParameterValue(null: IEnumerable<MigrationSpec>)>] migrations: IEnumerable<MigrationSpec>,
                         [<Optional; DefaultParameterValue(100)>] maxTest: int) =
        let migrations = if isNull migrations then [] else List.ofSeq migrations
        for name, property in ContextLaws.all (List.ofSeq keys) migrations do
            ContextLawChecker.Check(name, property, maxTest)
