using System.Text;

namespace DistributedContext.Samples;

/// <summary>Version 1 of a trace record, as older services still write it.</summary>
public sealed record TraceV1(string Id);
/// <summary>Version 2: the id plus the sampling decision.</summary>
public sealed record TraceV2(string Id, bool Sampled);

public sealed class VersionMigration : Sample
{
    public override string Name => "version_migration";
    public override string Shows => "bytes written at an older key version decode into the current type through registered migrations";
    public override Task Run()
    {
        // An old service, simulated by its own registry, writes "trace" at version 1.
        var oldService = new KeyRegistry();
        var oldTrace = oldService.Register("trace", new ContextKeyOptions<TraceV1>());
        var bytes = Context.Empty.With(oldTrace, new TraceV1("t-1")).Serialize();

        // This service knows version 2 and how to get there from version 1.
        var trace = DContext.Register<TraceV2>("trace", o => o.Version(2));
        DContext.RegisterMigration<TraceV1, TraceV2>("trace", 1, v1 => new TraceV2(v1.Id, Sampled: true));
        var migrated = Context.Deserialize(bytes).Get(trace);
        Say($"v1 bytes decoded as {migrated}");
        Check(migrated == new TraceV2("t-1", true), "migrated");
        return Task.CompletedTask;
    }
}

public sealed class VersionedRegistration : Sample
{
    public override string Name => "versioned_registration";
    public override string Shows => "during a rolling upgrade a key keeps writing the old version until every reader is upgraded";
    public override Task Run()
    {
        var upgraded = new KeyRegistry();
        var v2 = upgraded.Register("span", new ContextKeyOptions<TraceV2>().Version(2).WriteVersion<TraceV1>(1, t => new TraceV1(t.Id)));
        var bytes = Context.Empty.With(v2, new TraceV2("s-9", false)).Serialize();

        var notYetUpgraded = new KeyRegistry();
        var v1 = notYetUpgraded.Register("span", new ContextKeyOptions<TraceV1>());
        var decoded = Context.Deserialize(bytes, WireOptions.Default.WithRegistry(notYetUpgraded));
        Say($"written by the v2 service as v{v2.WriteVersion}; the v1 reader sees {decoded.Get(v1)}");
        Check(decoded.Get(v1) == new TraceV1("s-9"), "old reader reads the downgraded value");
        return Task.CompletedTask;
    }
}

public sealed class SizeLimits : Sample
{
    public override string Name => "size_limits";
    public override string Shows => "MaxContextSize / MaxEntries / MaxScopeChainLength protect both sides";
    public override Task Run()
    {
        using var scope = DContext.EnterScope();
        DContext.Set(Keys.RequestId, new string('x', 10_000));
        try
        {
            DContext.Serialize();
            Check(false, "should have been too large");
        }
        catch (ContextException error) when (error.Kind == ContextErrorKind.ContextTooLarge)
        {
            Say($"encode refused: {error.Message}");
        }
        try
        {
            using var _ = DContext.DeserializeFromString(new string('A', 50_000));
        }
        catch (ContextException error) when (error.Kind == ContextErrorKind.ContextTooLarge)
        {
            Say($"decode refused before allocating: {error.Kind}");
        }
        Say($"limits: {DContext.MaxContextSize} bytes, {DContext.MaxEntries} entries, {DContext.MaxScopeChainLength} scopes");
        return Task.CompletedTask;
    }
}

public sealed class CustomCodec : Sample
{
    public override string Name => "custom_codec";
    public override string Shows => "a key can bring its own codec (an encode/decode pair, or a Codec<T> subclass)";
    public override Task Run()
    {
        var region = DContext.Register<string>("region", o => o.Codec(
            value => Encoding.ASCII.GetBytes(value.ToUpperInvariant()),
            bytes => Encoding.ASCII.GetString(bytes).ToLowerInvariant()));
        using var scope = DContext.EnterScope();
        DContext.Set(region, "eu-west");
        var bytes = DContext.Serialize();
        var back = Context.Deserialize(bytes).Get(region);
        Say($"encoded payload contains 'EU-WEST': {Encoding.ASCII.GetString(bytes).Contains("EU-WEST")}; decoded: {back}");
        Check(back == "eu-west", "custom codec round trip");
        return Task.CompletedTask;
    }
}

public sealed class LocalOnly : Sample
{
    public override string Name => "local_only";
    public override string Shows => "local-only entries are visible in-process but never serialized, and refused when they arrive";
    public override Task Run()
    {
        var connection = DContext.RegisterLocal<string>("db_connection");
        using var scope = DContext.EnterScope();
        DContext.Set(connection, "Server=secret");
        DContext.Set(Keys.RequestId, "req-local");
        var bytes = DContext.Serialize();
        Say($"in-process: {DContext.Get(connection)}; serialized mentions it: {Encoding.UTF8.GetString(bytes).Contains("db_connection")}");
        Check(!Encoding.UTF8.GetString(bytes).Contains("db_connection"), "never serialized");
        Check(Context.Deserialize(bytes).Get(Keys.RequestId) == "req-local", "the rest travels");
        return Task.CompletedTask;
    }
}
