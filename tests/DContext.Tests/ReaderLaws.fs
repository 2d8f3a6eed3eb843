/// The reader laws, written once and run against every way to run a context flow
/// (ContextFlow, ContextTask): monad laws, and the laws of local (the pure scope).
module DistributedContext.Tests.ReaderLaws

open DistributedContext
open DistributedContext.Tests.Generators

/// One way to build and run flows: 'F yields an int, 'C yields the context it ran on.
type Reader<'F, 'C> =
    { Of: FlowExpr -> 'F
      Result: int -> 'F
      Bind: (int -> 'F) -> 'F -> 'F
      Map: (int -> int) -> 'F -> 'F
      Local: (Context -> Context) -> 'F -> 'F
      WithNumber: int -> 'F -> 'F
      Run: Context -> 'F -> int
      Ask: 'C
      LocalAsk: (Context -> Context) -> 'C -> 'C
      /// Runs the first flow, then (after an asynchronous hop where there is one) the second.
      Then: 'F -> 'C -> 'C
      RunAsk: Context -> 'C -> Context }

let laws name (reader: Reader<'F, 'C>) =
    let same context a b = reader.Run context a = reader.Run context b
    let continueWith (k: Continuation) x = reader.Of(Add(Const(x * k.Scale), k.Body))
    Expecto.Tests.testList name [
        Expecto.Tests.testList "monad laws" [
            law "left identity: bind f (return a) = f a" (fun (context: Context) (a: int) (k: Continuation) ->
                same context (reader.Bind (continueWith k) (reader.Result a)) (continueWith k a))

            law "right identity: bind return m = m" (fun (context: Context) (m: FlowExpr) ->
                same context (reader.Bind reader.Result (reader.Of m)) (reader.Of m))

            law "associativity: bind g (bind f m) = bind (fun x -> bind g (f x)) m" (fun (context: Context) (m: FlowExpr) (f: Continuation) (g: Continuation) ->
                same context
                    (reader.Of m |> reader.Bind (continueWith f) |> reader.Bind (continueWith g))
                    (reader.Of m |> reader.Bind (fun x -> continueWith f x |> reader.Bind (continueWith g))))

            law "functor: map f = bind (return << f)" (fun (context: Context) (m: FlowExpr) (n: int) ->
                same context (reader.Map ((*) n) (reader.Of m)) (reader.Bind (fun x -> reader.Result(x * n)) (reader.Of m)))

            law "agrees with the ContextFlow interpreter on every expression" (fun (context: Context) (m: FlowExpr) ->
                reader.Run context (reader.Of m) = ContextFlow.run context (flowOf m))
        ]

        Expecto.Tests.testList "local" [
            law "local f runs the flow on f context: run c (local f ask) = f c" (fun (context: Context) (f: Change) ->
                reader.RunAsk context (reader.LocalAsk (change f) reader.Ask) = change f context)

            law "local id = id" (fun (context: Context) (m: FlowExpr) ->
                same context (reader.Local id (reader.Of m)) (reader.Of m))

            law "local f (local g m) runs m under g (f context)" (fun (context: Context) (m: FlowExpr) (f: Change) (g: Change) ->
                same context
                    (reader.Local (change f) (reader.Local (change g) (reader.Of m)))
                    (reader.Local (change f >> change g) (reader.Of m)))

            law "the scope does not leak: after local, the flow sees the original context" (fun (context: Context) (m: FlowExpr) (f: Change) ->
                reader.RunAsk context (reader.Then (reader.Local (change f) (reader.Of m)) reader.Ask) = context)

            law "withValue is local (set key value)" (fun (context: Context) (m: FlowExpr) (n: int) ->
                same context (reader.WithNumber n (reader.Of m)) (reader.Local (Context.set Keys.number n) (reader.Of m)))
        ]
    ]
