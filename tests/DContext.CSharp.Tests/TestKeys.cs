namespace DistributedContext.Tests;

/// <summary>Keys shared by the C# tests, registered the way a C# application registers them.</summary>
public static class TestKeys
{
    public static readonly ContextKey<string> RequestId = DContext.Register<string>("cs.request_id");
    public static readonly ContextKey<int> Attempt = DContext.Register<int>("cs.attempt", o => o.Default(1));
    public static readonly ContextKey<string> Secret = DContext.RegisterLocal<string>("cs.secret");
}
