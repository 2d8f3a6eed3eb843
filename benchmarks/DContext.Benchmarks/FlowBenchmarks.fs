namespace DistributedContext.Benchmarks

open BenchmarkDotNet.Attributes
open DistributedContext

/// Ten reads: straight from a Context, through contextFlow / contextTask, and ambiently.
[<MemoryDiagnoser>]
type FlowBenchmarks() =
    let mutable context = Context.empty
    let k = Keys.strings
    let flow = contextFlow {
        let! a = ContextFlow.get k[0]
        let! b = ContextFlow.get k[1]
        let! c = ContextFlow.get k[2]
        let! d = ContextFlow.get k[3]
        let! e = ContextFlow.get k[4]
        let! f = ContextFlow.get k[5]
        let! g = ContextFlow.get k[6]
        let! h = ContextFlow.get k[7]
        let! i = ContextFlow.get k[0]
        let! j = ContextFlow.get k[1]
        return a.Length + b.Length + c.Length + d.Length + e.Length + f.Length + g.Length + h.Length + i.Length + j.Length
    }
    let contextTaskFlow = contextTask {
        let! a = ContextTask.get k[0]
        let! b = ContextTask.get k[1]
        let! c = ContextTask.get k[2]
        let! d = ContextTask.get k[3]
        let! e = ContextTask.get k[4]
        let! f = ContextTask.get k[5]
        let! g = ContextTask.get k[6]
        let! h = ContextTask.get k[7]
        let! i = ContextTask.get k[0]
        let! j = ContextTask.get k[1]
        return a.Length + b.Length + c.Length + d.Length + e.Length + f.Length + g.Length + h.Length + i.Length + j.Length
    }

    [<GlobalSetup>]
    member _.Setup() =
        Peers.setUp ()
        context <- DContext.Capture()

    [<Benchmark(Baseline = true, Description = "10 × Context.get")>]
    member _.Direct() =
        let c = context
        (Context.get k[0] c).Length + (Context.get k[1] c).Length + (Context.get k[2] c).Length + (Context.get k[3] c).Length
        + (Context.get k[4] c).Length + (Context.get k[5] c).Length + (Context.get k[6] c).Length + (Context.get k[7] c).Length
        + (Context.get k[0] c).Length + (Context.get k[1] c).Length

    [<Benchmark(Description = "10 × ContextFlow.get in contextFlow")>]
    member _.Flow() = ContextFlow.run context flow

    [<Benchmark(Description = "10 × DContext.Get (ambient)")>]
    member _.Ambient() =
        DContext.Get(k[0]).Length + DContext.Get(k[1]).Length + DContext.Get(k[2]).Length + DContext.Get(k[3]).Length
        + DContext.Get(k[4]).Length + DContext.Get(k[5]).Length + DContext.Get(k[6]).Length + DContext.Get(k[7]).Length
        + DContext.Get(k[0]).Length + DContext.Get(k[1]).Length

    [<Benchmark(Description = "10 × ContextTask.get in contextTask")>]
    member _.Task() = (ContextTask.run context contextTaskFlow).Result
