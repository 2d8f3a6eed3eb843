using Xunit;

namespace DistributedContext.Tests;

public class FacadeTests
{
    [Fact]
    public void Register_is_idempotent_for_the_same_name_and_type()
    {
        var first = DContext.Register<string>("cs.facade.same");
        var second = DContext.Register<string>("cs.facade.same");
        Assert.Same(first, second);
    }

    [Fact]
    public void Register_with_another_type_throws_AlreadyRegistered()
    {
        DContext.Register<string>("cs.facade.clash");
        var error = Assert.Throws<ContextException>(() => DContext.Register<int>("cs.facade.clash"));
        Assert.Equal(ContextErrorKind.AlreadyRegistered, error.Kind);
        Assert.Contains("'cs.facade.clash'", error.Message);
    }

    [Fact]
    public void Register_with_options_sets_version_default_and_codec()
    {
        var key = DContext.Register<int>("cs.facade.options", o => o.Version(2).Default(5).Codec(v => new[] { (byte)v }, b => b[0]));
        Assert.Equal(2, key.Version);
        Assert.Equal(5, key.Default);
        Assert.False(key.IsLocalOnly);
        Assert.True(DContext.RegisterLocal<string>("cs.facade.local").IsLocalOnly);
    }

    [Fact]
    public void Get_returns_the_default_until_set_and_the_value_after()
    {
        using var _ = DContext.Attach(Context.Empty);
        Assert.Equal(1, DContext.Get(TestKeys.Attempt));
        Assert.False(DContext.TryGet(TestKeys.Attempt, out var _));
        DContext.Set(TestKeys.Attempt, 3);
        Assert.Equal(3, DContext.Get(TestKeys.Attempt));
        Assert.True(DContext.TryGet(TestKeys.Attempt, out var attempt));
        Assert.Equal(3, attempt);
    }

    [Fact]
    public void Names_work_like_keys_and_report_NotRegistered_and_TypeMismatch()
    {
        using var _ = DContext.Attach(Context.Empty);
        Assert.NotNull(TestKeys.RequestId); // names resolve once the key is registered
        DContext.Set("cs.request_id", "req-1");
        Assert.Equal("req-1", DContext.Get<string>("cs.request_id"));
        Assert.True(DContext.TryGet<string>("cs.request_id", out var id));
        Assert.Equal("req-1", id);
        Assert.Equal(ContextErrorKind.NotRegistered, Assert.Throws<ContextException>(() => DContext.Get<string>("cs.nope")).Kind);
        var mismatch = Assert.Throws<ContextException>(() => DContext.Set("cs.request_id", 42));
        Assert.Equal(ContextErrorKind.TypeMismatch, mismatch.Kind);
        Assert.Contains("'cs.request_id'", mismatch.Message);
    }

    [Fact]
    public void Key_extension_methods_read_and_write_the_ambient_context()
    {
        using var _ = DContext.Attach(Context.Empty);
        TestKeys.RequestId.Set("req-ext");
        Assert.Equal("req-ext", TestKeys.RequestId.Get());
        Assert.True(TestKeys.RequestId.TryGet(out var value));
        Assert.Equal("req-ext", value);
    }

    [Fact]
    public void EnterScope_rolls_back_on_dispose_and_names_join_the_scope_chain()
    {
        using var _ = DContext.Attach(Context.Empty);
        DContext.Set(TestKeys.RequestId, "outer");
        using (DContext.EnterScope("edge"))
        {
            using (DContext.EnterScope())
            {
                DContext.Set(TestKeys.RequestId, "inner");
                using var api = DContext.EnterScope("api");
                Assert.Equal(new[] { "edge", "api" }, DContext.ScopeChain);
                Assert.Equal("inner", DContext.Get(TestKeys.RequestId));
            }
            Assert.Equal("outer", DContext.Get(TestKeys.RequestId));
        }
        Assert.Empty(DContext.ScopeChain);
        Assert.Throws<ArgumentNullException>(() => DContext.EnterScope(null!));
    }

    [Fact]
    public void Scope_rolls_back_on_return_and_on_exception()
    {
        using var _ = DContext.Attach(Context.Empty);
        var before = DContext.Capture();
        var seen = DContext.Scope(() =>
        {
            DContext.Set(TestKeys.Attempt, 2);
            return DContext.Get(TestKeys.Attempt);
        });
        Assert.Equal(2, seen);
        Assert.Throws<InvalidOperationException>(() => DContext.Scope(() =>
        {
            DContext.Set(TestKeys.Attempt, 3);
            throw new InvalidOperationException();
        }));
        Assert.Same(before, DContext.Capture());
    }

    [Fact]
    public async Task ScopeAsync_keeps_the_scope_across_awaits_and_rolls_back_after()
    {
        using var _ = DContext.Attach(Context.Empty);
        var before = DContext.Capture();
        var seen = await DContext.ScopeAsync(async () =>
        {
            DContext.Set(TestKeys.RequestId, "async");
            await Task.Yield();
            return DContext.Get(TestKeys.RequestId);
        });
        Assert.Equal("async", seen);
        await DContext.ScopeAsync(async () =>
        {
            using var named = DContext.EnterScope("job");
            await Task.Delay(1);
            Assert.Equal(new[] { "job" }, DContext.ScopeChain);
        });
        Assert.Same(before, DContext.Capture());
    }

    [Fact]
    public void Capture_is_immutable_and_Attach_replaces_exactly()
    {
        using var _ = DContext.Attach(Context.Empty);
        DContext.Set(TestKeys.RequestId, "captured");
        var captured = DContext.Capture();
        DContext.Set(TestKeys.RequestId, "later");
        Assert.Equal("captured", captured.Get(TestKeys.RequestId));

        DContext.Set(TestKeys.Attempt, 9);
        using (DContext.Attach(captured))
        {
            Assert.Same(captured, DContext.Capture());
            Assert.False(DContext.TryGet(TestKeys.Attempt, out var _)); // replaced, not merged
        }
        Assert.Equal(9, DContext.Get(TestKeys.Attempt));
    }

    [Fact]
    public async Task Run_and_RunAsync_make_a_context_current_then_restore()
    {
        using var _ = DContext.Attach(Context.Empty);
        var context = Context.Empty.With(TestKeys.RequestId, "run");
        Assert.Equal("run", DContext.Run(context, () => DContext.Get(TestKeys.RequestId)));
        var ran = false;
        DContext.Run(context, () => { ran = DContext.Get(TestKeys.RequestId) == "run"; });
        Assert.True(ran);
        Assert.Equal("run", await DContext.RunAsync(context, async () =>
        {
            await Task.Yield();
            return DContext.Get(TestKeys.RequestId);
        }));
        await DContext.RunAsync(context, async () =>
        {
            await Task.Yield();
            Assert.Equal("run", DContext.Get(TestKeys.RequestId));
        });
        Assert.Null(DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public void Context_members_are_friendly_to_CSharp()
    {
        var context = Context.Empty.With(TestKeys.RequestId, "a").With(TestKeys.Attempt, 2).EnterScope("edge");
        Assert.Equal(2, context.Count);
        Assert.False(context.IsEmpty);
        Assert.True(context.TryGet(TestKeys.Attempt, out var attempt));
        Assert.Equal(2, attempt);
        Assert.Equal(1, context.Without(TestKeys.Attempt).Count);
        Assert.Equal(new[] { "edge" }, context.ScopeChain);
        Assert.Equal(context, Context.Empty.With(TestKeys.RequestId, "a").With(TestKeys.Attempt, 2).EnterScope("edge"));
    }
}
