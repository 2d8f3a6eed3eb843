/// The generators every law uses, written once: a pool of registered test keys, scripts of
/// context operations, contexts built from them, and a small language of flows.
module DistributedContext.Tests.Generators

open Expecto
open FsCheck
open FsCheck.FSharp
open DistributedContext

/// A record value type, to exercise JSON-coded keys.
type Tenant = { Id: int; Name: string; Tags: string list }

/// A union value type.
type Plan =
    | Free
    | Pro of seats: int
    | Enterprise of contract: string * seats: int

module Keys =
    let text = ContextKey.register<string> "test.text"
    let number = ContextKey.register<int> "test.number"
    let big = ContextKey.register<int64> "test.big"
    let flag = ContextKey.register<bool> "test.flag"
    let tenant = ContextKey.register<Tenant> "test.tenant"
    let plan = ContextKey.register<Plan> "test.plan"
    let withDefault = ContextKey.registerWith<string> "test.withDefault" (fun options -> options.Default "fallback")
    let secret = ContextKey.registerLocal<string> "test.secret"
    let id = ContextKey.register<System.Guid> "test.id"
    let deadline = ContextKey.register<System.DateTimeOffset> "test.deadline"
    let blob = ContextKey.register<byte[]> "test.blob"
    let ratio = ContextKey.register<float> "test.ratio"
    let index = ContextKey.register<Map<string, int list>> "test.index"

/// One step of a script that builds a context.
type ContextOp =
    | SetText of string
    | SetNumber of int
    | SetBig of int64
    | SetFlag of bool
    | SetTenant of Tenant
    | SetPlan of Plan
    | SetSecret of string
    | SetId of System.Guid
    | SetDeadline of System.DateTimeOffset
    | SetBlob of byte[]
    | SetRatio of NormalFloat
    | SetIndex of Map<string, int list>
    | RemoveKey of int
    | EnterScope of string

let removable : ContextKey list =
    [ Keys.text; Keys.number; Keys.big; Keys.flag; Keys.tenant; Keys.plan; Keys.withDefault; Keys.secret
      Keys.id; Keys.deadline; Keys.blob; Keys.ratio; Keys.index ]

let apply (context: Context) op =
    match op with
    | SetText value -> Context.set Keys.text value context
    | SetNumber value -> Context.set Keys.number value context
    | SetBig value -> Context.set Keys.big value context
    | SetFlag value -> Context.set Keys.flag value context
    | SetTenant value -> Context.set Keys.tenant value context
    | SetPlan value -> Context.set Keys.plan value context
    | SetSecret value -> Context.set Keys.secret value context
    | SetId value -> Context.set Keys.id value context
    | SetDeadline value -> Context.set Keys.deadline value context
    | SetBlob value -> Context.set Keys.blob (if isNull value then [||] else value) context
    | SetRatio(NormalFloat value) -> Context.set Keys.ratio value context
    | SetIndex value -> Context.set Keys.index value context
    | RemoveKey index -> context.Without(removable[abs index % removable.Length])
    | EnterScope name -> Context.enterScope name context

let private arb<'T> = ArbMap.defaults |> ArbMap.arbitrary<'T>

let genOp : Gen<ContextOp> = (arb<ContextOp>).Generator
let genOps : Gen<ContextOp list> = Gen.listOf genOp
let genContext : Gen<Context> = genOps |> Gen.map (List.fold apply Context.empty)

/// Contexts (properties that want a shrunk script take `ContextOp list` and fold it with `apply`).
let arbContext : Arbitrary<Context> = Arb.fromGen genContext

let arbOps : Arbitrary<ContextOp list> = arb<ContextOp list>

/// A small language of flows over the context, so that flows can be generated, shrunk and printed.
type FlowExpr =
    | Const of int
    | ReadNumber
    | ReadTextLength
    | Add of FlowExpr * FlowExpr
    | WithNumber of int * FlowExpr
    | InScope of string * FlowExpr
    | Count

let rec flowOf expr : ContextFlow<int> =
    match expr with
    | Const n -> ContextFlow.result n
    | ReadNumber -> ContextFlow.get Keys.number
    | ReadTextLength -> ContextFlow.get Keys.text |> ContextFlow.map (fun text -> if isNull text then -1 else text.Length)
    | Add(a, b) -> ContextFlow.map2 (+) (flowOf a) (flowOf b)
    | WithNumber(n, inner) -> ContextFlow.withValue Keys.number n (flowOf inner)
    | InScope(name, inner) -> ContextFlow.withScope name (flowOf inner)
    | Count -> ContextFlow.reader Context.count

let rec taskOf expr : ContextTask<int> =
    match expr with
    | Const n -> ContextTask.result n
    | ReadNumber -> ContextTask.get Keys.number
    | ReadTextLength -> ContextTask.get Keys.text |> ContextTask.map (fun text -> if isNull text then -1 else text.Length)
    | Add(a, b) -> ContextTask.zip (taskOf a) (taskOf b) |> ContextTask.map (fun (x, y) -> x + y)
    | WithNumber(n, inner) -> ContextTask.withValue Keys.number n (taskOf inner)
    | InScope(name, inner) -> ContextTask.withScope name (taskOf inner)
    | Count -> ContextTask.ofFlow (ContextFlow.reader Context.count)

/// A generated continuation `int -> flow`: the expression with the bound value added in.
type Continuation = { Body: FlowExpr; Scale: int }


/// A generated change of context, for `local`.
type Change =
    | ChangeNumber of int
    | ChangeText of string
    | ChangeScope of string
    | Clear

let change c (context: Context) =
    match c with
    | ChangeNumber n -> Context.set Keys.number n context
    | ChangeText text -> Context.set Keys.text text context
    | ChangeScope name -> Context.enterScope name context
    | Clear -> Context.empty

/// Every law runs at least 200 cases, from a fixed seed so runs are repeatable.
let config =
    { FsCheckConfig.defaultConfig with
        maxTest = 200
        replay = Some(0x5EED_D0C5UL, 0xC0FF_EFUL, None) }

/// Registers the context generator for properties that take a `Context` argument.
type Arbitraries =
    static member Context() = arbContext

let lawConfig = { config with arbitrary = [ typeof<Arbitraries> ] }

let law name body = testPropertyWithConfig lawConfig name body
