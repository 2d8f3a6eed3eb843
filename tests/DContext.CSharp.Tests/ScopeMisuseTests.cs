using Xunit;

namespace DistributedContext.Tests;

public class ScopeMisuseTests
{
    [Fact]
    public void Misordered_dispose_throws_ScopeOrder_naming_both_and_repairs_the_context()
    {
        using var _ = DContext.Attach(Context.Empty);
        DContext.Set(TestKeys.RequestId, "before");
        var before = DContext.Capture();

        var outer = DContext.EnterScope("outer");
        DContext.Set(TestKeys.RequestId, "outer");
        var inner = DContext.EnterScope("inner");
        DContext.Set(TestKeys.RequestId, "inner");

        var error = Assert.Throws<ContextException>(() => outer.Dispose());
        Assert.Equal(ContextErrorKind.ScopeOrder, error.Kind);
        Assert.Contains("scope 'outer'", error.Message);
        Assert.Contains("scope 'inner'", error.Message);
        Assert.Same(before, DContext.Capture());          // repaired: as before the misordered scope

        inner.Dispose();                                    // the skipped scope is harmless now
        outer.Dispose();                                    // and so is a second dispose
        Assert.Same(before, DContext.Capture());
        Assert.Equal("before", DContext.Get(TestKeys.RequestId));
    }

    [Fact]
    public async Task Disposing_a_scope_from_a_flow_where_it_is_not_open_throws_and_changes_nothing()
    {
        using var _ = DContext.Attach(Context.Empty);
        DContext.Set(TestKeys.RequestId, "parent");
        var before = DContext.Capture();
        var childScope = await Task.Run(() => DContext.EnterScope("child"));
        var error = Assert.Throws<ContextException>(() => childScope.Dispose());
        Assert.Equal(ContextErrorKind.ScopeOrder, error.Kind);
        Assert.Contains("not open in this async flow", error.Message);
        Assert.Same(before, DContext.Capture());
    }
}
