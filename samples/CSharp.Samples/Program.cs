using DistributedContext.Samples;

// The samples tour: `dotnet run --project samples/CSharp.Samples [name ...]` runs all of them or the named ones.
var samples = new Sample[]
{
    new BasicScope(), new CrossThread(), new AsyncTasks(), new WorkerPool(), new TypedKeys(),
    new AsyncScopes(), new FeatureFlags(), new ScopeChainSample(), new RuntimeAgnostic(), new ThirdPartyCallback(),
    new CrossProcess(), new VersionMigration(), new VersionedRegistration(), new SizeLimits(), new CustomCodec(), new LocalOnly(),
};
var chosen = args.Length == 0 ? samples : samples.Where(s => args.Contains(s.Name)).ToArray();
if (chosen.Length == 0)
{
    Console.Error.WriteLine($"No sample named {string.Join(", ", args)}. Samples: {string.Join(", ", samples.Select(s => s.Name))}");
    return 2;
}
foreach (var sample in chosen)
{
    Console.WriteLine($"{sample.Name}: {sample.Shows}");
    await sample.Run();
}
Console.WriteLine($"{chosen.Length} samples ran.");
return 0;
