/// The decoder fuzzer's parts: seed encodings of realistic contexts, mutations of them, and the
/// containment check (law 8). Used by the long-running harness and by the normal test run.
module DistributedContext.Fuzz.Mutator

open System
open DistributedContext

type Record = { Id: int; Name: string; Tags: string list }
type Choice =
    | Plain
    | Detailed of string * int

let private text = ContextKey.register<string> "fuzz.text"
let private number = ContextKey.register<int64> "fuzz.number"
let private flag = ContextKey.register<bool> "fuzz.flag"
let private id = ContextKey.register<Guid> "fuzz.id"
let private when' = ContextKey.register<DateTimeOffset> "fuzz.when"
let private record = ContextKey.register<Record> "fuzz.record"
let private choice = ContextKey.register<Choice> "fuzz.choice"
let private blob = ContextKey.register<byte[]> "fuzz.blob"
ContextKey.registerLocal<string> "fuzz.local" |> ignore

/// Valid encodings to start from: every key type, scopes, and entries no reader knows.
let seeds : byte[][] =
    let random = Random 7
    let other = KeyRegistry()
    let unknown = other.Register("fuzz.unknown", ContextKeyOptions<string>())
    let local = other.Register("fuzz.local", ContextKeyOptions<string>())
    [| for i in 0..63 ->
        let mutable context = Context.empty
        if i % 2 = 0 then context <- Context.set text (String('a' + char (i % 26), i)) context
        if i % 3 = 0 then context <- Context.set number (int64 i * -987654321L) context
        if i % 4 = 0 then context <- Context.set flag true context
        if i % 5 = 0 then context <- Context.set id (Guid(Array.init 16 (fun _ -> byte (random.Next 256)))) context
        if i % 6 = 0 then context <- Context.set when' (DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(float (i % 12)))) context
        if i % 7 = 0 then context <- Context.set record { Id = i; Name = $"n{i}"; Tags = [ "x"; "y" ] } context
        if i % 8 = 0 then context <- Context.set choice (if i % 16 = 0 then Plain else Detailed("d", i)) context
        if i % 9 = 0 then context <- Context.set blob (Array.init i byte) context
        if i % 10 = 0 then context <- Context.set unknown "opaque" context
        if i % 11 = 0 then context <- Context.set local "injected" context
        for s in 1 .. i % 4 do context <- Context.enterScope $"scope{s}" context
        match Wire.encode context with
        | Ok bytes when bytes.Length > 0 -> bytes
        | _ -> [| 1uy; 0uy; 0uy; 0uy |] |]

/// One mutation of an input: what a corrupting network, a truncating proxy or an attacker does.
let mutate (random: Random) (input: byte[]) : byte[] =
    let copy = Array.copy input
    let at () = random.Next(max 1 copy.Length)
    match random.Next 9 with
    | 0 when copy.Length > 0 -> copy[at ()] <- byte (random.Next 256); copy
    | 1 when copy.Length > 0 -> let i = at () in copy[i] <- copy[i] ^^^ (1uy <<< random.Next 8); copy
    | 2 -> Array.sub copy 0 (random.Next(copy.Length + 1))
    | 3 -> Array.append copy (Array.init (random.Next 16) (fun _ -> byte (random.Next 256)))
    | 4 when copy.Length > 0 ->
        // A varint claiming a huge length or count, dropped in anywhere.
        let i = at ()
        Array.concat [ copy[.. i - 1]; [| 0xFFuy; 0xFFuy; 0xFFuy; 0xFFuy; 0x0Fuy |]; copy[i ..] ]
    | 5 when copy.Length > 1 ->
        // Splice: a run of this input repeated.
        let i = at ()
        let length = random.Next(1, copy.Length - i + 1)
        Array.concat [ copy[.. i + length - 1]; copy[i .. i + length - 1]; copy[i + length ..] ]
    | 6 ->
        // Crossover: the head of this input, the tail of a seed.
        let other = seeds[random.Next seeds.Length]
        Array.append (Array.sub copy 0 (random.Next(copy.Length + 1))) other[random.Next other.Length ..]
    | 7 when copy.Length > 0 -> copy[at ()] <- [| 0uy; 1uy; 0x7Fuy; 0x80uy; 0xFFuy |][random.Next 5]; copy
    | _ -> Array.init (random.Next 48) (fun _ -> byte (random.Next 256))

type Outcome =
    | Accepted
    | Refused
    | WrongKind of ContextErrorKind
    | Escaped of exn

let private isWireError (error: ContextError) =
    error.Kind = ContextErrorKind.DeserializationFailed || error.Kind = ContextErrorKind.ContextTooLarge

/// Law 8 for one input, in both forms: a context (re-encodable) or a wire error — never anything else.
let check (input: byte[]) : Outcome =
    try
        let binary =
            match Wire.decode input with
            | Ok context ->
                match Wire.encode context with
                | Ok _ -> Accepted
                | Error error when error.Kind = ContextErrorKind.ContextTooLarge -> Accepted
                | Error error -> WrongKind error.Kind
            | Error error when isWireError error -> Refused
            | Error error -> WrongKind error.Kind
        match binary, Wire.decodeString (Convert.ToBase64String(input).TrimEnd('=').Replace('+', '-').Replace('/', '_')) with
        | (WrongKind _ | Escaped _), _ -> binary
        | _, Ok _ -> binary
        | _, Error error when isWireError error -> binary
        | _, Error error -> WrongKind error.Kind
    with error -> Escaped error

/// Runs `count` inputs from a seeded generator; returns the inputs whose outcome broke the law.
let run (seed: int) (count: int64) (report: int64 -> unit) : (byte[] * Outcome) list =
    let random = Random seed
    let mutable failures = []
    let mutable current = seeds[0]
    for i in 1L .. count do
        current <- if i % 8L = 0L then seeds[random.Next seeds.Length] else mutate random current
        if current.Length > 4096 then current <- seeds[random.Next seeds.Length]
        match check current with
        | Accepted | Refused -> ()
        | outcome -> failures <- (current, outcome) :: failures
        if i % 100_000L = 0L then report i
    List.rev failures
