/// The application's context keys, as a team would declare them.
module Shop.Keys

open DistributedContext

type Tenant = { Id: int; Name: string; Region: string }

type Checkout =
    | Classic
    | OnePage of variant: string
    | Disabled

/// Version 1 of the trace record, still written by older services.
type TraceV1 = { TraceId: string; SpanId: string }

/// Version 2 adds the sampling decision.
type Trace = { TraceId: string; SpanId: string; Sampled: bool }

let requestId = ContextKey.register<string> "shop.request_id"
let tenant = ContextKey.register<Tenant option> "shop.tenant"
let checkout = ContextKey.registerWith<Checkout> "shop.feature.checkout" (fun o -> o.Default Classic)
let trace = ContextKey.registerWith<Trace> "shop.trace" (fun o -> o.Version 2)
ContextKey.registerMigration<TraceV1, Trace> "shop.trace" 1 (fun v1 -> { TraceId = v1.TraceId; SpanId = v1.SpanId; Sampled = true })
