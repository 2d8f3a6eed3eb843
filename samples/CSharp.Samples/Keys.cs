namespace DistributedContext.Samples;

public sealed record Tenant(int Id, string Name);

/// <summary>The samples' keys, registered once at startup as an application would.</summary>
public static class Keys
{
    public static readonly ContextKey<string> RequestId = DContext.Register<string>("request_id");
    public static readonly ContextKey<Tenant?> Tenant = DContext.Register<Tenant?>("tenant");
    public static readonly ContextKey<bool> DarkMode = DContext.Register<bool>("feature.dark_mode");
    public static readonly ContextKey<int> Attempt = DContext.Register<int>("attempt", o => o.Default(1));
}
