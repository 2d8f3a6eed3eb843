namespace DistributedContext.Testing

open System
open FsCheck
open FsCheck.FSharp
open DistributedContext

/// <summary>
/// A key under test with the generator of its values (FsCheck's generator for the value type
/// unless given one). The laws in <c>ContextLaws</c> take these.
/// </summary>
[<Sealed>]
type KeySpec internal (key: ContextKey, setter: Gen<Context -> Context>, ambientSetter: Gen<unit -> unit>,
                       remover: Context -> Context, ambientRemover: unit -> unit, roundTrip: KeyRegistry -> Property,
                       fits: ContextLimits -> Property) =
    /// <summary>The key.</summary>
    member _.Key = key
    /// <summary>The key's name.</summary>
    member _.Name = key.Name
    /// Sets a generated value on a context.
    member internal _.Setter = setter
    /// Sets a generated value on the ambient context.
    member internal _.AmbientSetter = ambientSetter
    member internal _.Remover = remover
    member internal _.AmbientRemover = ambientRemover
    /// A generated value through the envelope and back, decoded with a registry.
    member internal _.RoundTrip registry = roundTrip registry
    /// Every generated value, alone in a context, encodes under the limits.
    member internal _.Fits limits = fits limits
    /// True when the key writes an older version during a rollout (a downgrade).
    member _.WritesOlderVersion = key.WriteVersion < key.Version

    /// <summary>A key whose values come from <paramref name="values"/> (shrinking with <paramref name="shrink"/>).</summary>
    static member Of<'T>(key: ContextKey<'T>, values: Gen<'T>, shrink: 'T -> 'T seq) : KeySpec =
        if isNull key then nullArg (nameof key)
        let arbitrary = Arb.fromGenShrink (values, shrink)
        /// Same value back: by equality when the type defines it, else by re-encoding to the same bytes.
        let definesEquality =
            let t = typeof<'T>
            t.IsValueType || t.IsArray || t.GetMethod("Equals", [| typeof<obj> |]).DeclaringType <> typeof<obj>
        let encodeOne (value: 'T) = Wire.encode (Context.set key value Context.empty)
        let same (original: 'T) (decoded: Context) =
            match Context.tryGet key decoded with
            | None -> false
            | Some back when Unchecked.equals (box back) (box original) -> true
            | Some back when definesEquality -> false
            | Some back -> encodeOne back = encodeOne original
        let staysLocal (_: KeyRegistry) =
            Prop.forAll arbitrary (fun value ->
                match encodeOne value with
                | Error error -> false |> Prop.label $"key '{key.Name}': encoding failed: {error.Message}"
                | Ok bytes ->
                    let named = bytes.AsSpan().IndexOf(ReadOnlySpan(Text.Encoding.UTF8.GetBytes key.Name)) >= 0
                    not named |> Prop.label $"key '{key.Name}' is local-only but its name was encoded")
        let fitsUnder (limits: ContextLimits) =
            Prop.forAll arbitrary (fun value ->
                match Wire.encodeWith limits (Context.set key value Context.empty) with
                | Ok _ -> true |> Prop.label "fits"
                | Error error -> false |> Prop.label $"key '{key.Name}': {error.Message}")
        let roundTripWith (registry: KeyRegistry) =
            Prop.forAll arbitrary (fun value ->
                match encodeOne value with
                | Error error -> false |> Prop.label $"key '{key.Name}': encoding failed: {error.Message}"
                | Ok bytes ->
                    match Wire.decodeWith (WireOptions.Default.WithRegistry registry) (ReadOnlySpan bytes) with
                    | Error error -> false |> Prop.label $"key '{key.Name}': decoding failed: {error.Message}"
                    | Ok decoded ->
                        let quarantined = decoded.Quarantined |> Seq.map (fun e -> e.Message) |> String.concat "; "
                        same value decoded.Context
                        |> Prop.label $"key '{key.Name}': the value did not come back unchanged {quarantined}")
        KeySpec(key,
                values |> Gen.map (fun value -> Context.set key value),
                values |> Gen.map (fun value () -> Ambient.set key value),
                Context.remove key,
                (fun () -> Ambient.remove key),
                (if key.IsLocalOnly then staysLocal else roundTripWith),
                fitsUnder)

    /// <summary>A key whose values come from <paramref name="values"/> (no shrinking).</summary>
    static member Of<'T>(key: ContextKey<'T>, values: Gen<'T>) : KeySpec = KeySpec.Of(key, values, fun _ -> Seq.empty)

    /// <summary>A key whose values come from FsCheck's default generator (and shrinker) for <c>'T</c>.</summary>
    static member Of<'T>(key: ContextKey<'T>) : KeySpec =
        let arbitrary = ArbMap.defaults |> ArbMap.arbitrary<'T>
        KeySpec.Of(key, arbitrary.Generator, arbitrary.Shrinker)

    override _.ToString() = $"KeySpec({key.Name})"

/// <summary>What a migration must do: old values at <c>FromVersion</c> become the values <c>Expected</c> says.</summary>
[<Sealed>]
type MigrationSpec internal (name: string, fromVersion: int, property: KeyRegistry -> Property) =
    /// <summary>The key's name.</summary>
    member _.Name = name
    /// <summary>The version migrated from.</summary>
    member _.FromVersion = fromVersion
    member internal _.Property registry = property registry

    /// <summary>Old values from <paramref name="oldValues"/>, written at <paramref name="fromVersion"/> with
    /// <c>'Old</c>'s default codec, must decode as <paramref name="expected"/> says.</summary>
    static member From<'Old, 'T>(key: ContextKey<'T>, fromVersion: int, oldValues: Gen<'Old>, shrink: 'Old -> 'Old seq, expected: Func<'Old, 'T>) =
        if isNull key then nullArg (nameof key)
        let property (registry: KeyRegistry) =
            let writer = KeyRegistry()
            let old = writer.Register(key.Name, ContextKeyOptions<'Old>().Version fromVersion)
            Prop.forAll (Arb.fromGenShrink (oldValues, shrink)) (fun oldValue ->
                let label = $"key '{key.Name}': migration from version {fromVersion}"
                match Wire.encode (Context.set old oldValue Context.empty) with
                | Error error -> false |> Prop.label $"{label}: the old value could not be encoded: {error.Message}"
                | Ok bytes ->
                    match Wire.decodeWith (WireOptions.Default.WithRegistry registry) (ReadOnlySpan bytes) with
                    | Error error -> false |> Prop.label $"{label}: {error.Message}"
                    | Ok decoded ->
                        let wanted = expected.Invoke oldValue
                        match Context.tryGet key decoded.Context with
                        | Some migrated when Unchecked.equals (box migrated) (box wanted) -> true |> Prop.label label
                        | Some migrated -> false |> Prop.label $"{label}: got {migrated}, expected {wanted}"
                        | None ->
                            let why = decoded.Quarantined |> Seq.map (fun e -> e.Message) |> String.concat "; "
                            false |> Prop.label $"{label}: the entry was dropped: {why}")
        MigrationSpec(key.Name, fromVersion, property)

    /// <summary>As above, with FsCheck's default generator for <c>'Old</c>.</summary>
    static member From<'Old, 'T>(key: ContextKey<'T>, fromVersion: int, expected: Func<'Old, 'T>) =
        let arbitrary = ArbMap.defaults |> ArbMap.arbitrary<'Old>
        MigrationSpec.From(key, fromVersion, arbitrary.Generator, arbitrary.Shrinker, expected)
