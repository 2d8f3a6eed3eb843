module Shop.ContextLawTests

open System
open Expecto
open DistributedContext.Testing
open Shop.Keys

let keys = [ KeySpec.Of requestId; KeySpec.Of tenant; KeySpec.Of checkout; KeySpec.Of trace ]

let migrations =
    [ MigrationSpec.From<TraceV1, Trace>(trace, 1, Func<_, _>(fun v1 -> { TraceId = v1.TraceId; SpanId = v1.SpanId; Sampled = true })) ]

let tests =
    testList "shop context keys" [
        for name, law in ContextLaws.all keys migrations -> testProperty name law
    ]

[<EntryPoint>]
let main args = runTestsWithCLIArgs [] args tests
