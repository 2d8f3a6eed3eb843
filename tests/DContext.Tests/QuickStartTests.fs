/// The README's F# quick start, verbatim between the markers: if it stops compiling, so does this file.
module DistributedContext.Tests.QuickStartTests

open Expecto

// README-QUICKSTART-FSHARP-BEGIN
open DistributedContext

type RequestId = RequestId of string

let requestId = ContextKey.register<RequestId> "request_id"
let tenant = ContextKey.registerWith<string> "tenant" (fun options -> options.Default "public")

let describe = contextFlow {
    let! (RequestId id) = ContextFlow.get requestId
    let! tenantName = ContextFlow.get tenant
    let! scopes = ContextFlow.scopeChain
    return $"""{id} for {tenantName} in {String.concat "/" scopes}"""
}

let handle =
    describe
    |> ContextFlow.withScope "api"
    |> ContextFlow.withValue requestId (RequestId "req-123")
    |> ContextFlow.withScope "edge"

// ContextFlow.run Context.empty handle = "req-123 for public in edge/api"
// README-QUICKSTART-FSHARP-END

let tests =
    testList "README quick start" [
        test "the F# quick start computes what the README says" {
            Expect.equal (ContextFlow.run Context.empty handle) "req-123 for public in edge/api" "quick start result"
        }
    ]
