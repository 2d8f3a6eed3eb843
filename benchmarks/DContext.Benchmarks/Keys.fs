/// Keys shared by the benchmarks: registered once per process, as an application would.
module DistributedContext.Benchmarks.Keys

open DistributedContext

/// 256 registered int keys; benchmarks set the first n of them.
let many = [| for i in 0..255 -> ContextKey.register<int> $"bench.key.{i:D3}" |]

/// String keys: the first eight are the "8 entries set" of the peer comparisons.
let strings = [| for i in 0..31 -> ContextKey.register<string> $"bench.s{i}" |]

let contextWith (count: int) (depth: int) =
    let context = Seq.fold (fun context i -> Context.set many[i] i context) Context.empty [ 0 .. count - 1 ]
    Seq.fold (fun context i -> Context.enterScope $"scope{i}" context) context [ 1..depth ]
