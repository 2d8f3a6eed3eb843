namespace DistributedContext.Testing

open FsCheck
open FsCheck.FSharp
open DistributedContext

/// <summary>One step of a scope script, run against the ambient context.</summary>
type ScopeStep =
    /// <summary>Enter a scope (named when a name is given).</summary>
    | Enter of name: string option
    /// <summary>Set the key with this index in the spec list to a generated value.</summary>
    | Set of key: int * action: (unit -> unit)
    /// <summary>Remove the key with this index in the spec list.</summary>
    | Remove of key: int
    /// <summary>Leave the innermost scope (nothing when none is open).</summary>
    | Exit

    override this.ToString() =
        match this with
        | Enter(Some name) -> $"Enter \"{name}\""
        | Enter None -> "Enter"
        | Set(key, _) -> $"Set #{key}"
        | Remove key -> $"Remove #{key}"
        | Exit -> "Exit"

/// <summary>Generators built from the keys under test.</summary>
[<RequireQualifiedAccess>]
module ContextGen =

    let private names = Gen.elements [ "edge"; "api"; "worker"; "db"; "retry" ]

    /// <summary>Contexts holding any subset of the keys, with generated values and a short scope chain.</summary>
    [<CompiledName("Context")>]
    let context (keys: KeySpec list) : Gen<Context> =
        gen {
            let! setters = keys |> List.map (fun key -> Gen.oneof [ key.Setter; Gen.constant id ]) |> Gen.sequenceToList
            let! scopes = Gen.listOf names |> Gen.map (List.truncate 4)
            let withEntries = setters |> List.fold (fun context set -> set context) Context.empty
            return scopes |> List.fold (fun context name -> Context.enterScope name context) withEntries
        }

    /// <summary>Random sequences of enter / set / remove / exit against the keys.</summary>
    [<CompiledName("ScopeScript")>]
    let scopeScript (keys: KeySpec list) : Gen<ScopeStep list> =
        let keyed = List.indexed keys
        let step =
            Gen.frequency [
                2, Gen.map Enter (Gen.optionOf names)
                2, Gen.constant Exit
                if not keyed.IsEmpty then
                    4, gen {
                        let! index, key = Gen.elements keyed
                        let! action = key.AmbientSetter
                        return Set(index, action)
                    }
                    1, Gen.elements keyed |> Gen.map (fst >> Remove)
            ]
        Gen.listOf step
