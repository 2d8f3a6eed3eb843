namespace DistributedContext.Samples;

/// <summary>One runnable sample: it prints what it shows and throws if the library misbehaves.</summary>
public abstract class Sample
{
    public abstract string Name { get; }
    public abstract string Shows { get; }
    public abstract Task Run();

    protected static void Say(string line) => Console.WriteLine($"    {line}");

    protected static void Check(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException($"Sample check failed: {what}");
    }
}
