using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Xunit;

namespace DistributedContext.Tests;

/// <summary>
/// The propagation matrix: one test per way .NET runs work elsewhere. Each checks that the child sees
/// the parent's values and that the child's writes never reach the parent.
/// </summary>
public class PropagationTests
{
    private static IDisposable Parent(string requestId)
    {
        var scope = DContext.Attach(Context.Empty);
        DContext.Set(TestKeys.RequestId, requestId);
        return scope;
    }

    private static string? ChildReadsThenWrites(string write)
    {
        var seen = DContext.Get(TestKeys.RequestId);
        DContext.Set(TestKeys.RequestId, write);
        return seen;
    }

    private static async Task<string?> Level(int depth)
    {
        await Task.Yield();
        if (depth == 0) return ChildReadsThenWrites("deep-child");
        var seen = await Level(depth - 1);
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId)); // writes below did not come up
        return seen;
    }

    [Fact]
    public async Task Deep_await_chain()
    {
        using var _ = Parent("parent");
        Assert.Equal("parent", await Level(20));
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public async Task Task_Run()
    {
        using var _ = Parent("parent");
        Assert.Equal("parent", await Task.Run(() => ChildReadsThenWrites("child")));
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public async Task Task_WhenAll_fan_out_keeps_siblings_isolated()
    {
        using var _ = Parent("parent");
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            await Task.Yield();
            var seen = ChildReadsThenWrites($"sibling-{i}");
            await Task.Delay(i % 3);
            return (seen, mine: DContext.Get(TestKeys.RequestId), i);
        }));
        Assert.All(results, r => Assert.Equal(("parent", $"sibling-{r.i}"), (r.seen, r.mine)));
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public void Parallel_ForEach()
    {
        using var _ = Parent("parent");
        var seen = new ConcurrentBag<string?>();
        // A worker runs many items in one flow: a scope per item keeps items apart.
        Parallel.ForEach(Enumerable.Range(0, 100), i => DContext.Scope(() => seen.Add(ChildReadsThenWrites($"item-{i}"))));
        Assert.All(seen, value => Assert.Equal("parent", value));
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public void New_thread_and_StartThread()
    {
        using var _ = Parent("parent");
        string? viaThread = null, viaStartThread = null;
        var thread = new Thread(() => viaThread = ChildReadsThenWrites("thread"));
        thread.Start();
        thread.Join();
        DContext.StartThread(() => viaStartThread = ChildReadsThenWrites("started"), "worker").Join();
        Assert.Equal("parent", viaThread);
        Assert.Equal("parent", viaStartThread);
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public async Task ThreadPool_QueueUserWorkItem()
    {
        using var _ = Parent("parent");
        var done = new TaskCompletionSource<string?>();
        ThreadPool.QueueUserWorkItem(_ => done.SetResult(ChildReadsThenWrites("pool")));
        Assert.Equal("parent", await done.Task);
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public async Task UnsafeQueueUserWorkItem_loses_the_context_without_help_and_keeps_it_with_Wrap()
    {
        using var _ = Parent("parent");
        var lost = new TaskCompletionSource<string?>();
        ThreadPool.UnsafeQueueUserWorkItem(_ => lost.SetResult(DContext.Get(TestKeys.RequestId)), null);
        Assert.Null(await lost.Task);

        var kept = new TaskCompletionSource<string?>();
        var wrapped = DContext.Wrap(() => kept.SetResult(ChildReadsThenWrites("unsafe")));
        ThreadPool.UnsafeQueueUserWorkItem(_ => wrapped(), null);
        Assert.Equal("parent", await kept.Task);
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public async Task SuppressFlow_loses_the_context_without_help_and_keeps_it_with_Run_Spawn_and_Wrap()
    {
        using var _ = Parent("parent");
        var captured = DContext.Capture();
        Task<string?> lost, viaRun, viaSpawn;
        Func<string?> viaWrap;
        using (ExecutionContext.SuppressFlow())
        {
            lost = Task.Run<string?>(() => DContext.Get(TestKeys.RequestId));
            viaRun = Task.Run<string?>(() => DContext.Run(captured, () => ChildReadsThenWrites("run")));
            viaSpawn = DContext.Spawn(async () =>
            {
                await Task.Yield();
                return ChildReadsThenWrites("spawn");
            });
            viaWrap = DContext.Wrap(() => ChildReadsThenWrites("wrap"));
        }
        Assert.Null(await lost);
        Assert.Equal("parent", await viaRun);
        Assert.Equal("parent", await viaSpawn);
        Assert.Equal("parent", await Task.Run(viaWrap));
        var spawnedUnit = false;
        Task spawned;
        using (ExecutionContext.SuppressFlow())
            spawned = DContext.Spawn(async () => { await Task.Yield(); spawnedUnit = DContext.Get(TestKeys.RequestId) == "parent"; });
        await spawned;
        Assert.True(spawnedUnit);
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    private sealed record Message(int Id, Context Context);

    [Fact]
    public async Task Channels_carry_the_context_with_the_message()
    {
        using var _ = Parent("parent");
        var channel = Channel.CreateUnbounded<Message>();
        // The consumer starts in a context of its own: what it sees must come with each message.
        var consumer = Task.Run(async () =>
        {
            using var own = DContext.Attach(Context.Empty.With(TestKeys.RequestId, "consumer"));
            var seen = new List<string?>();
            await foreach (var message in channel.Reader.ReadAllAsync())
                seen.Add(DContext.Run(message.Context, () => ChildReadsThenWrites("handled")));
            seen.Add(DContext.Get(TestKeys.RequestId));
            return seen;
        });
        for (var i = 0; i < 5; i++)
        {
            using var scope = DContext.EnterScope();
            DContext.Set(TestKeys.RequestId, $"msg-{i}");
            await channel.Writer.WriteAsync(new Message(i, DContext.Capture()), TestContext.Current.CancellationToken);
        }
        channel.Writer.Complete();
        Assert.Equal(new[] { "msg-0", "msg-1", "msg-2", "msg-3", "msg-4", "consumer" }, await consumer);
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public async Task Timer_callbacks()
    {
        using var _ = Parent("parent");
        var fired = new TaskCompletionSource<string?>();
        using var timer = new Timer(_ => fired.TrySetResult(ChildReadsThenWrites("timer")), null, 1, Timeout.Infinite);
        Assert.Equal("parent", await fired.Task);
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }

    private static async IAsyncEnumerable<string?> Produce([EnumeratorCancellation] CancellationToken cancel = default)
    {
        for (var i = 0; i < 3; i++)
        {
            await Task.Yield();
            yield return ChildReadsThenWrites($"yielded-{i}");
        }
    }

    [Fact]
    public async Task IAsyncEnumerable()
    {
        using var _ = Parent("parent");
        var seen = new List<string?>();
        await foreach (var value in Produce(TestContext.Current.CancellationToken))
        {
            seen.Add(value);
            Assert.Equal("parent", DContext.Get(TestKeys.RequestId)); // the iterator's writes stay inside it
        }
        // Each MoveNextAsync runs in the consumer's flow: a write in one step is gone in the next.
        Assert.Equal(new[] { "parent", "parent", "parent" }, seen);
    }

    [Fact]
    public async Task ConfigureAwait_false()
    {
        using var _ = Parent("parent");
        async Task<string?> Child()
        {
            await Task.Delay(1).ConfigureAwait(false);
            var seen = ChildReadsThenWrites("child");
            await Task.Yield();
            return seen;
        }
        Assert.Equal("parent", await Child()); // ConfigureAwait(false) inside the child
        Assert.Equal("parent", DContext.Get(TestKeys.RequestId));
    }
}
