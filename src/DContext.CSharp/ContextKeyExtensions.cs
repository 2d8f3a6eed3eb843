using System.Diagnostics.CodeAnalysis;

namespace DistributedContext;

/// <summary>Ambient reads and writes through a typed key: <c>RequestId.Get()</c>, <c>RequestId.Set(value)</c>.</summary>
public static class ContextKeyExtensions
{
    /// <summary>The key's value in the current context, or its default.</summary>
    public static T Get<T>(this ContextKey<T> key) => DContext.Get(key);

    /// <summary>The key's value in the current context, when it is set.</summary>
    public static bool TryGet<T>(this ContextKey<T> key, [MaybeNullWhen(false)] out T value) => DContext.TryGet(key, out value);

    /// <summary>Sets the key in the current flow.</summary>
    public static void Set<T>(this ContextKey<T> key, T value) => DContext.Set(key, value);
}
