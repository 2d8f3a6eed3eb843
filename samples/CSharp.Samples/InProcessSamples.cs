using System.Collections.Concurrent;

namespace DistributedContext.Samples;

public sealed class BasicScope : Sample
{
    public override string Name => "basic_scope";
    public override string Shows => "a scope's writes are undone when it is disposed";
    public override Task Run()
    {
        using (DContext.EnterScope())
        {
            DContext.Set(Keys.RequestId, "req-123");
            Say($"inside the scope: request_id = {DContext.Get(Keys.RequestId)}");
            Check(DContext.Get(Keys.RequestId) == "req-123", "value inside");
        }
        Say($"after the scope:  request_id = {DContext.Get(Keys.RequestId) ?? "(default)"}");
        Check(DContext.Get(Keys.RequestId) is null, "reverted");
        return Task.CompletedTask;
    }
}

public sealed class CrossThread : Sample
{
    public override string Name => "cross_thread";
    public override string Shows => "new threads see the context; DContext.StartThread carries it even without flow";
    public override Task Run()
    {
        using var scope = DContext.EnterScope();
        DContext.Set(Keys.RequestId, "req-thread");
        string? seen = null;
        var thread = DContext.StartThread(() => seen = DContext.Get(Keys.RequestId), "worker");
        thread.Join();
        Say($"thread '{thread.Name}' saw request_id = {seen}");
        Check(seen == "req-thread", "thread saw the value");
        return Task.CompletedTask;
    }
}

public sealed class AsyncTasks : Sample
{
    public override string Name => "async_tasks";
    public override string Shows => "the context flows through await and Task.Run; children cannot change the parent";
    public override async Task Run()
    {
        using var scope = DContext.EnterScope();
        DContext.Set(Keys.RequestId, "req-async");
        var child = await Task.Run(async () =>
        {
            await Task.Delay(1);
            var saw = DContext.Get(Keys.RequestId);
            DContext.Set(Keys.RequestId, "changed-in-child");
            return saw;
        });
        Say($"child saw {child}; parent still has {DContext.Get(Keys.RequestId)}");
        Check(child == "req-async" && DContext.Get(Keys.RequestId) == "req-async", "isolation");
    }
}

public sealed class WorkerPool : Sample
{
    public override string Name => "worker_pool";
    public override string Shows => "each job queued to a pool runs under the context it was queued with";
    public override async Task Run()
    {
        var results = new ConcurrentDictionary<int, string?>();
        var jobs = new List<Task>();
        for (var job = 0; job < 4; job++)
        {
            using var scope = DContext.EnterScope();
            DContext.Set(Keys.RequestId, $"job-{job}");
            var id = job;
            var done = new TaskCompletionSource();
            ThreadPool.QueueUserWorkItem(_ => { results[id] = DContext.Get(Keys.RequestId); done.SetResult(); });
            jobs.Add(done.Task);
        }
        await Task.WhenAll(jobs);
        foreach (var (job, seen) in results.OrderBy(r => r.Key)) Say($"job {job} ran with request_id = {seen}");
        Check(results.All(r => r.Value == $"job-{r.Key}"), "each job kept its context");
    }
}

public sealed class TypedKeys : Sample
{
    public override string Name => "typed_keys";
    public override string Shows => "ContextKey<T> gives compile-time typed access; names work too, checked at run time";
    public override Task Run()
    {
        using var scope = DContext.EnterScope();
        Keys.Tenant.Set(new Tenant(7, "acme"));
        var tenant = Keys.Tenant.Get();                     // Tenant?, no cast
        var byName = DContext.Get<Tenant?>("tenant");       // same value through the name
        Say($"typed: {tenant}; by name: {byName}");
        try { DContext.Get<int>("tenant"); }
        catch (ContextException error) { Say($"wrong type by name -> {error.Kind}"); }
        Check(tenant == byName && tenant?.Name == "acme", "typed and named agree");
        return Task.CompletedTask;
    }
}

public sealed class AsyncScopes : Sample
{
    public override string Name => "async_scopes";
    public override string Shows => "DContext.ScopeAsync keeps a scope across awaits and rolls it back after";
    public override async Task Run()
    {
        var inside = await DContext.ScopeAsync(async () =>
        {
            DContext.Set(Keys.Attempt, 2);
            await Task.Delay(1);
            return DContext.Get(Keys.Attempt);
        });
        Say($"inside the async scope: attempt = {inside}; after: attempt = {DContext.Get(Keys.Attempt)}");
        Check(inside == 2 && DContext.Get(Keys.Attempt) == 1, "async scope rolled back");
    }
}

public sealed class FeatureFlags : Sample
{
    public override string Name => "feature_flags";
    public override string Shows => "a flag set per request reaches deep code without a parameter";
    private static string Render() => DContext.Get(Keys.DarkMode) ? "dark page" : "light page";
    public override Task Run()
    {
        var plain = Render();
        var dark = DContext.Scope(() =>
        {
            Keys.DarkMode.Set(true);
            return Render();
        });
        Say($"without the flag: {plain}; with it: {dark}");
        Check(plain == "light page" && dark == "dark page", "flag applied only in its scope");
        return Task.CompletedTask;
    }
}

public sealed class ScopeChainSample : Sample
{
    public override string Name => "scope_chain";
    public override string Shows => "named scopes form a chain that tells where the work is";
    public override Task Run()
    {
        using var edge = DContext.EnterScope("edge");
        using var api = DContext.EnterScope("api");
        using (DContext.EnterScope("db"))
        {
            Say($"scope chain: {string.Join(" > ", DContext.ScopeChain)}");
            Check(DContext.ScopeChain.SequenceEqual(new[] { "edge", "api", "db" }), "chain");
        }
        Say($"after leaving db: {string.Join(" > ", DContext.ScopeChain)}");
        return Task.CompletedTask;
    }
}

public sealed class RuntimeAgnostic : Sample
{
    public override string Name => "runtime_agnostic";
    public override string Shows => "work started without execution-context flow loses the context unless carried with Wrap/Run/Spawn";
    public override async Task Run()
    {
        using var scope = DContext.EnterScope();
        DContext.Set(Keys.RequestId, "req-agnostic");
        var lost = new TaskCompletionSource<string?>();
        var kept = new TaskCompletionSource<string?>();
        ThreadPool.UnsafeQueueUserWorkItem(_ => lost.SetResult(DContext.Get(Keys.RequestId)), null);
        var wrapped = DContext.Wrap(() => kept.SetResult(DContext.Get(Keys.RequestId)));
        ThreadPool.UnsafeQueueUserWorkItem(_ => wrapped(), null);
        Task<string?> spawned;
        using (ExecutionContext.SuppressFlow())
            spawned = DContext.Spawn(() => Task.FromResult<string?>(DContext.Get(Keys.RequestId)));
        Say($"UnsafeQueueUserWorkItem: {await lost.Task ?? "(lost)"}; with Wrap: {await kept.Task}; Spawn under SuppressFlow: {await spawned}");
        Check(await lost.Task is null && await kept.Task == "req-agnostic" && await spawned == "req-agnostic", "carried");
    }
}

/// <summary>A library that calls back on its own thread, without execution-context flow.</summary>
public sealed class ThirdPartyEmitter
{
    public void OnEvent(Action<string> handler) =>
        ThreadPool.UnsafeQueueUserWorkItem(_ => handler("event"), null);
}

public sealed class ThirdPartyCallback : Sample
{
    public override string Name => "third_party_callback";
    public override string Shows => "DContext.Wrap makes a callback run under the context it was registered in";
    public override async Task Run()
    {
        using var scope = DContext.EnterScope();
        DContext.Set(Keys.RequestId, "req-callback");
        var seen = new TaskCompletionSource<string?>();
        var emitter = new ThirdPartyEmitter();
        var handler = DContext.Wrap(() => seen.SetResult(DContext.Get(Keys.RequestId)));
        emitter.OnEvent(_ => handler());
        Say($"callback saw request_id = {await seen.Task}");
        Check(await seen.Task == "req-callback", "callback had the context");
    }
}
