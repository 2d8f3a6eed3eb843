using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace DistributedContext.Tests;

/// <summary>The rollback and isolation laws as FsCheck properties, run against the C# facade.</summary>
public class LawTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(200).WithReplay(0x5EEDUL, 0xC0FFEFUL);

    /// <summary>Runs a script: 0 enters a scope, 1 enters a named scope, 2 exits, anything else sets a value.</summary>
    private static bool RunScript(int[] script)
    {
        var open = new Stack<(ContextScope Scope, Context Before)>();
        var restored = true;
        foreach (var step in script)
        {
            switch (Math.Abs(step % 5))
            {
                case 0: { var before = DContext.Capture(); open.Push((DContext.EnterScope(), before)); break; }
                case 1: { var before = DContext.Capture(); open.Push((DContext.EnterScope($"s{step}"), before)); break; }
                case 2:
                    if (open.Count > 0)
                    {
                        var (scope, before) = open.Pop();
                        scope.Dispose();
                        restored &= ReferenceEquals(DContext.Capture(), before) || DContext.Capture().Equals(before);
                    }
                    break;
                case 3: DContext.Set(TestKeys.Attempt, step); break;
                default: DContext.Set(TestKeys.RequestId, $"r{step}"); break;
            }
        }
        while (open.Count > 0)
        {
            var (scope, before) = open.Pop();
            scope.Dispose();
            restored &= DContext.Capture().Equals(before);
        }
        return restored;
    }

    [Fact]
    public void Rollback_leaving_a_scope_restores_the_context_from_before_it()
    {
        Prop.ForAll<int[]>(script =>
        {
            using var ambient = DContext.Attach(Context.Empty);
            var before = DContext.Capture();
            using (DContext.EnterScope()) { if (!RunScript(script)) return false; }
            return ReferenceEquals(DContext.Capture(), before);
        }).Check(Config);
    }

    [Fact]
    public void Isolation_writes_in_a_child_task_never_reach_the_parent()
    {
        Prop.ForAll<int[]>(script =>
        {
            using var ambient = DContext.Attach(Context.Empty);
            DContext.Set(TestKeys.RequestId, "parent");
            var before = DContext.Capture();
            var child = Task.Run(() => { RunScript(script); DContext.Set(TestKeys.RequestId, "child"); });
            var sibling = Task.Run(() => DContext.Get(TestKeys.RequestId));
            child.GetAwaiter().GetResult();
            return sibling.GetAwaiter().GetResult() == "parent" && ReferenceEquals(DContext.Capture(), before);
        }).Check(Config);
    }
}
