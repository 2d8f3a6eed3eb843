/// A tour of the pure F# core: an immutable Context read through contextFlow, with nested
/// named scopes as pure push/pop (ContextFlow.withScope / withValue / local).
module DistributedContext.Samples.FSharpTour

open DistributedContext

type RequestId = RequestId of string

type Tenant = { Id: int; Name: string }

let requestId = ContextKey.registerWith<RequestId> "request_id" (fun options -> options.Default(RequestId "none"))
let tenant = ContextKey.register<Tenant option> "tenant"
let attempt = ContextKey.registerWith<int> "attempt" (fun options -> options.Default 1)

/// A leaf of the call tree: it reads what it needs, passed by nobody.
let logLine (message: string) = contextFlow {
    let! (RequestId id) = ContextFlow.get requestId
    let! tenant = ContextFlow.get tenant
    let! attempt = ContextFlow.get attempt
    let! scopes = ContextFlow.scopeChain
    let tenantName = tenant |> Option.map _.Name |> Option.defaultValue "-"
    return $"""[{String.concat "/" scopes}] request={id} tenant={tenantName} attempt={attempt}: {message}"""
}

let loadOrders = contextFlow {
    let! first = logLine "loading orders"
    // A retry runs in a nested scope with its own attempt number; the parent never sees it.
    let! retry = logLine "retrying" |> ContextFlow.withValue attempt 2 |> ContextFlow.withScope "retry"
    let! after = logLine "back in the parent scope"
    return [ first; retry; after ]
}

let handleRequest = contextFlow {
    let! start = logLine "request received"
    let! orders = loadOrders |> ContextFlow.withScope "orders"
    let! done' = logLine "request done"
    return start :: orders @ [ done' ]
}

[<EntryPoint>]
let main _ =
    let incoming =
        Context.empty
        |> Context.set requestId (RequestId "req-123")
        |> Context.set tenant (Some { Id = 7; Name = "acme" })
    let lines = handleRequest |> ContextFlow.withScope "api" |> ContextFlow.run incoming
    printfn "F# tour: contextFlow with nested scopes"
    for line in lines do printfn "  %s" line
    // The context we started from never changed: scopes are pure push/pop.
    printfn "  after the request: attempt=%d scopes=%A (unchanged)" (Context.get attempt incoming) (Context.scopeChain incoming)
    0
