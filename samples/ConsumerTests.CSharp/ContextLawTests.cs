using DistributedContext;
using DistributedContext.Testing;
using Xunit;

namespace Shop.Tests;

public sealed record Tenant(int Id, string Name, string Region);
public enum Checkout { Classic, OnePage, Disabled }
public sealed record TraceV1(string TraceId, string SpanId);
public sealed record Trace(string TraceId, string SpanId, bool Sampled);

/// <summary>The application's keys, registered once.</summary>
public static class ShopKeys
{
    public static readonly ContextKey<string> RequestId = DContext.Register<string>("shop.cs.request_id");
    public static readonly ContextKey<Tenant?> Tenant = DContext.Register<Tenant?>("shop.cs.tenant");
    public static readonly ContextKey<Checkout> Checkout = DContext.Register<Checkout>("shop.cs.feature.checkout");
    public static readonly ContextKey<Trace> Trace = RegisterTrace();

    private static ContextKey<Trace> RegisterTrace()
    {
        var key = DContext.Register<Trace>("shop.cs.trace", o => o.Version(2));
        DContext.RegisterMigration<TraceV1, Trace>("shop.cs.trace", 1, v1 => new Trace(v1.TraceId, v1.SpanId, Sampled: true));
        return key;
    }
}

public class ContextLawTests
{
    [Fact]
    public void Our_context_keys_obey_every_law() =>
        ContextLawChecker.Verify(
            new[] { KeySpec.Of(ShopKeys.RequestId), KeySpec.Of(ShopKeys.Tenant), KeySpec.Of(ShopKeys.Checkout), KeySpec.Of(ShopKeys.Trace) },
            new[] { MigrationSpec.From<TraceV1, Trace>(ShopKeys.Trace, 1, v1 => new Trace(v1.TraceId, v1.SpanId, true)) },
            maxTest: 200);

    [Fact]
    public void A_broken_migration_would_be_reported_with_its_counterexample()
    {
        var spec = MigrationSpec.From<TraceV1, Trace>(ShopKeys.Trace, 1, v1 => new Trace(v1.TraceId, v1.SpanId, Sampled: false));
        var error = Assert.ThrowsAny<Exception>(() => ContextLawChecker.Verify(Array.Empty<KeySpec>(), new[] { spec }));
        Assert.Contains("'shop.cs.trace'", error.Message);
    }
}
