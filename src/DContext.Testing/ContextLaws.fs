namespace DistributedContext.Testing

open System
open FsCheck
open FsCheck.FSharp
open DistributedContext

/// <summary>
/// The laws a team checks for its own keys. Each returns an FsCheck <c>Property</c> (run it with
/// Expecto's <c>testProperty</c>, FsCheck's <c>Check</c>, or <c>ContextLawChecker</c> from C#); a
/// failure shows the shrunk counterexample and names the key.
/// </summary>
[<RequireQualifiedAccess>]
module ContextLaws =

    /// <summary>Round trip: every generated value of the key comes back unchanged through the wire
    /// (for a local-only key: its name is never encoded).</summary>
    [<CompiledName("CodecRoundTrip")>]
    let codecRoundTrip (key: KeySpec) : Property = key.RoundTrip KeyRegistry.Global

    /// <summary>Downgrade: a key that writes an older version during a rollout loses nothing once the
    /// current version's migrations read it back (trivially true for other keys).</summary>
    [<CompiledName("Downgrade")>]
    let downgrade (key: KeySpec) : Property =
        if key.WritesOlderVersion then key.RoundTrip KeyRegistry.Global
        else Prop.ofTestable true

    /// <summary>Migration: old values decode as the migration spec expects.</summary>
    [<CompiledName("Migration")>]
    let migration (spec: MigrationSpec) : Property = spec.Property KeyRegistry.Global

    /// <summary>Fits the limits: every generated value of each key, alone in a context, encodes under
    /// <paramref name="limits"/> (a failure shrinks to the smallest value that does not fit).</summary>
    [<CompiledName("FitsLimits")>]
    let fitsLimits (limits: ContextLimits) (keys: KeySpec list) : Property =
        match keys with
        | [] -> Prop.ofTestable true
        | keys -> keys |> List.map (fun key -> key.Fits limits) |> List.reduce (.&.)

    /// <summary>Fits the limits together: generated contexts holding all the keys at once encode under
    /// <paramref name="limits"/>.</summary>
    [<CompiledName("FitsLimitsTogether")>]
    let fitsLimitsTogether (limits: ContextLimits) (keys: KeySpec list) : Property =
        Prop.forAll (Arb.fromGen (ContextGen.context keys)) (fun context ->
            match Wire.encodeWith limits context with
            | Ok _ -> true |> Prop.label "fits"
            | Error error -> false |> Prop.label $"{error.Message} (keys: {context})")

    /// <summary>Forward compatibility: a reader that knows none of the keys carries every entry through
    /// unchanged, and a reader that knows them reads them back.</summary>
    [<CompiledName("ForwardCompatible")>]
    let forwardCompatible (keys: KeySpec list) : Property =
        Prop.forAll (Arb.fromGen (ContextGen.context keys)) (fun context ->
            match Wire.encode context with
            | Error error -> false |> Prop.label error.Message
            | Ok bytes ->
                let stranger = WireOptions.Default.WithRegistry(KeyRegistry())
                match Wire.decodeWith stranger (ReadOnlySpan bytes) |> Result.bind (fun relayed -> Wire.encode relayed.Context) with
                | Ok relayedBytes -> (relayedBytes = bytes) |> Prop.label $"an unaware middle tier changed the entries of {context}"
                | Error error -> false |> Prop.label $"an unaware middle tier failed: {error.Message}")

    /// <summary>Rollback: under any script of enter / set / remove / exit, leaving a scope restores
    /// exactly the context from before it, and leaving all of them restores the start.</summary>
    [<CompiledName("Rollback")>]
    let rollback (keys: KeySpec list) : Property =
        let specs = List.toArray keys
        // Shrinks by dropping one step at a time, so the counterexample is a minimal script.
        let shrink (script: ScopeStep list) = Seq.init script.Length (fun i -> List.removeAt i script)
        Prop.forAll (Arb.fromGenShrink (ContextGen.scopeScript keys, shrink)) (fun script ->
          let outside = Ambient.capture ()
          let inside =
            Ambient.run Context.empty (fun () ->
                let mutable open' : (ContextScope * Context) list = []
                let mutable broken = None
                let leave () =
                    match open' with
                    | (scope, before) :: rest ->
                        scope.Dispose()
                        open' <- rest
                        if not (obj.ReferenceEquals(Ambient.capture (), before)) && broken.IsNone then
                            broken <- Some $"leaving a scope did not restore {before}; got {Ambient.capture ()}"
                    | [] -> ()
                for step in script do
                    match step with
                    | Enter name ->
                        let before = Ambient.capture ()
                        let scope = match name with Some n -> Ambient.enterNamedScope n | None -> Ambient.enterScope ()
                        open' <- (scope, before) :: open'
                    | Set(_, action) -> action ()
                    | Remove index -> specs[index].AmbientRemover()
                    | Exit -> leave ()
                while not open'.IsEmpty do leave ()
                match broken with
                | Some reason -> false |> Prop.label reason
                | None -> true |> Prop.label "every scope rolled back")
          // Writes outside the script's scopes stay inside the run, which restores the caller's context.
          inside .&. (obj.ReferenceEquals(Ambient.capture (), outside) |> Prop.label "the caller's context changed"))

    /// <summary>Every law for these keys and migrations, named, under the current limits.</summary>
    [<CompiledName("All")>]
    let all (keys: KeySpec list) (migrations: MigrationSpec list) : (string * Property) list =
        [ for key in keys do
            if key.Key.IsLocalOnly then
                yield $"local stays local: '{key.Name}' is never encoded", codecRoundTrip key
            else
                yield $"round trip: '{key.Name}' comes back unchanged through the wire", codecRoundTrip key
            if key.WritesOlderVersion then
                yield $"downgrade: '{key.Name}' loses nothing while writing version {key.Key.WriteVersion}", downgrade key
          for spec in migrations ->
            $"migration: '{spec.Name}' from version {spec.FromVersion}", migration spec
          yield "fits the limits: every generated value encodes under the current limits", fitsLimits ContextLimits.Current keys
          yield "fits the limits together: contexts of all the keys encode under the current limits", fitsLimitsTogether ContextLimits.Current keys
          yield "forward compatibility: a reader that lacks the keys carries them through", forwardCompatible keys
          yield "rollback: leaving a scope restores the context from before it", rollback keys ]
