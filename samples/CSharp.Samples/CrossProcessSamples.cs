using System.Diagnostics;
using System.Text;

namespace DistributedContext.Samples;

public sealed class CrossProcess : Sample
{
    public override string Name => "cross_process";
    public override string Shows => "a parent hands its context to a child process, which adds to it and hands it back; local-only entries never cross";

    private static readonly ContextKey<string> HandledBy = DContext.Register<string>("handled_by");
    private static readonly ContextKey<string> DbConnection = DContext.RegisterLocal<string>("db_connection");

    /// <summary>Runs the child program with the encoded context as its argument; returns what it prints.</summary>
    public static string RunChild(string encoded)
    {
        var child = Path.Combine(AppContext.BaseDirectory, "CrossProcess.Child.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(child);
        start.ArgumentList.Add(encoded);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the child");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000)) { process.Kill(); throw new TimeoutException("the child did not finish"); }
        Say(errors.Result.Trim());
        if (process.ExitCode != 0) throw new InvalidOperationException($"the child failed: {errors.Result}");
        return output.Result.Trim();
    }

    public override Task Run()
    {
        using var edge = DContext.EnterScope("parent");
        DContext.Set(Keys.RequestId, "req-xp");
        Keys.Tenant.Set(new Tenant(7, "acme"));          // the child does not know this key: it carries it through
        DContext.Set(DbConnection, "Server=secret");      // local-only: never leaves this process
        var encoded = DContext.SerializeToString();
        Say($"parent sends {encoded.Length} header-safe characters");
        Check(!Encoding.UTF8.GetString(DContext.Serialize()).Contains("db_connection"), "local-only name not encoded");

        var reply = RunChild(encoded);
        using (DContext.DeserializeFromString(reply))
        {
            Say($"parent got back: request_id={DContext.Get(Keys.RequestId)} attempt={DContext.Get(Keys.Attempt)} " +
                $"handled_by={DContext.Get(HandledBy)} tenant={Keys.Tenant.Get()} scopes={string.Join("/", DContext.ScopeChain)}");
            Check(DContext.Get(Keys.RequestId) == "req-xp", "request id survived the round trip");
            Check(DContext.Get(Keys.Attempt) == 2, "the child's change came back");
            Check(DContext.Get(HandledBy).StartsWith("child-"), "the child's new entry came back");
            Check(Keys.Tenant.Get() == new Tenant(7, "acme"), "an entry unknown to the child was carried through");
            Check(DContext.ScopeChain.SequenceEqual(new[] { "parent", "child", "parent" }), "scope chains: decoded first, then local");
            Check(DContext.Get(DbConnection) == "Server=secret", "local-only stays in the parent's own context");
        }
        return Task.CompletedTask;
    }
}
