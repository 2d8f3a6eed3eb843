using System.Diagnostics.CodeAnalysis;
using Microsoft.FSharp.Core;

namespace DistributedContext;

/// <summary>
/// The ambient context for C#: one <c>AsyncLocal</c> slot holding the current immutable
/// <see cref="Context"/>, flowing across <c>await</c>, <c>Task.Run</c>, the thread pool and new threads.
/// Every member is a thin call into the F# core (<c>Ambient</c>, <c>ContextKey</c>, <c>Wire</c>).
/// </summary>
public static partial class DContext
{
    // ---- Registration ----------------------------------------------------------------------

    /// <summary>Registers a serializable key with the default codec for <typeparamref name="T"/>; idempotent for the same name and type.</summary>
    /// <exception cref="ContextException"><c>AlreadyRegistered</c> when the name is taken by another type.</exception>
    public static ContextKey<T> Register<T>(string name) => ContextKeyModule.Register<T>(name);

    /// <summary>Registers a key with options (version, default, codec, local-only, older write version).</summary>
    /// <exception cref="ContextException"><c>AlreadyRegistered</c> when the name is taken by another type or other options.</exception>
    public static ContextKey<T> Register<T>(string name, Action<ContextKeyOptions<T>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return ContextKeyModule.RegisterWith<T>(name, FuncConvert.FromFunc<ContextKeyOptions<T>, ContextKeyOptions<T>>(options =>
        {
            configure(options);
            return options;
        }));
    }

    /// <summary>Registers a local-only key: it never leaves the process, not even its name.</summary>
    public static ContextKey<T> RegisterLocal<T>(string name) => ContextKeyModule.RegisterLocal<T>(name);

    /// <summary>Registers how a payload of key <paramref name="name"/> written at <paramref name="fromVersion"/>
    /// (decoded with <typeparamref name="TOld"/>'s default codec) becomes a value of the next version.</summary>
    public static void RegisterMigration<TOld, TNew>(string name, int fromVersion, Func<TOld, TNew> migrate)
    {
        ArgumentNullException.ThrowIfNull(migrate);
        ContextKeyModule.RegisterMigration(name, fromVersion, FuncConvert.FromFunc(migrate));
    }

    // ---- Reading and writing ---------------------------------------------------------------

    /// <summary>The key's value in the current context, or its default. Allocates nothing.</summary>
    public static T Get<T>(ContextKey<T> key) => Ambient.Capture().Get(key);

    /// <summary>The value of the key registered under <paramref name="name"/>, or its default.</summary>
    /// <exception cref="ContextException"><c>NotRegistered</c> or <c>TypeMismatch</c>.</exception>
    public static T Get<T>(string name) => Ambient.Capture().Get(ContextKeyModule.Find<T>(name));

    /// <summary>The key's value in the current context, when it is set.</summary>
    public static bool TryGet<T>(ContextKey<T> key, [MaybeNullWhen(false)] out T value) => Ambient.Capture().TryGet(key, out value);

    /// <summary>The value of the key registered under <paramref name="name"/>, when it is set.</summary>
    /// <exception cref="ContextException"><c>NotRegistered</c> or <c>TypeMismatch</c>.</exception>
    public static bool TryGet<T>(string name, [MaybeNullWhen(false)] out T value) =>
        Ambient.Capture().TryGet(ContextKeyModule.Find<T>(name), out value);

    /// <summary>Sets the key in the current flow, inside the innermost scope (whose dispose undoes it).</summary>
    public static void Set<T>(ContextKey<T> key, T value) => Ambient.Set(key, value);

    /// <summary>Sets the key registered under <paramref name="name"/>.</summary>
    /// <exception cref="ContextException"><c>NotRegistered</c> or <c>TypeMismatch</c>.</exception>
    public static void Set<T>(string name, T value) => Ambient.Set(ContextKeyModule.Find<T>(name), value);

    /// <summary>Removes the key in the current flow.</summary>
    public static void Remove<T>(ContextKey<T> key) => Ambient.Remove(key);

    // ---- Scopes ----------------------------------------------------------------------------

    /// <summary>
    /// Opens an unnamed scope: everything set until it is disposed is undone by the dispose.
    /// Rules: dispose scopes innermost first, in the flow that entered them (<c>using</c> does both).
    /// Disposing an outer scope while an inner one is open throws <see cref="ContextException"/>
    /// (<c>ScopeOrder</c>, naming both) after restoring the context from before the outer scope; the
    /// skipped inner scopes, and a second dispose of any scope, are then harmless. Disposing a scope
    /// from a flow where it is not open (it was entered in a child task) throws <c>ScopeOrder</c> and
    /// changes nothing.
    /// </summary>
    public static ContextScope EnterScope() => Ambient.EnterScope();

    /// <summary>Opens a named scope: the name joins <see cref="ScopeChain"/> until the scope is disposed.
    /// Same rules as <see cref="EnterScope()"/>.</summary>
    /// <exception cref="ArgumentNullException">When <paramref name="name"/> is null.</exception>
    public static ContextScope EnterScope(string name) => Ambient.EnterNamedScope(name);

    /// <summary>The names of the open named scopes, outermost first (including those decoded from another process).</summary>
    public static IReadOnlyList<string> ScopeChain => Ambient.Capture().ScopeChain;

    /// <summary>Runs <paramref name="body"/> in a scope: what it sets is undone when it returns or throws.</summary>
    public static void Scope(Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Ambient.Scope(FuncConvert.FromAction(body));
    }

    /// <summary>Runs <paramref name="body"/> in a scope and returns its result.</summary>
    public static T Scope<T>(Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Ambient.Scope(FuncConvert.FromFunc(body));
    }

    /// <summary>Runs asynchronous <paramref name="body"/> in a scope; its continuations keep the scope.</summary>
    public static Task ScopeAsync(Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Ambient.ScopeTask(FuncConvert.FromFunc(body));
    }

    /// <summary>Runs asynchronous <paramref name="body"/> in a scope and returns its result.</summary>
    public static Task<T> ScopeAsync<T>(Func<Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Ambient.ScopeTask(FuncConvert.FromFunc(body));
    }

    // ---- Snapshots and propagation ---------------------------------------------------------

    /// <summary>The current context: O(1), allocates nothing. It never changes afterwards.</summary>
    public static Context Capture() => Ambient.Capture();

    /// <summary>Makes <paramref name="context"/> current exactly as captured (replaces, never merges) until the scope is disposed.</summary>
    public static ContextScope Attach(Context context) => Ambient.Attach(context);

    /// <summary>Runs <paramref name="body"/> with <paramref name="context"/> current, then restores the previous context.</summary>
    public static void Run(Context context, Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Ambient.Run(context, FuncConvert.FromAction(body));
    }

    /// <summary>Runs <paramref name="body"/> with <paramref name="context"/> current and returns its result.</summary>
    public static T Run<T>(Context context, Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Ambient.Run(context, FuncConvert.FromFunc(body));
    }

    /// <summary>Starts asynchronous <paramref name="body"/> with <paramref name="context"/> current; its continuations keep it.</summary>
    public static Task RunAsync(Context context, Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Ambient.RunTask(context, FuncConvert.FromFunc(body));
    }

    /// <summary>Starts asynchronous <paramref name="body"/> with <paramref name="context"/> current and returns its result.</summary>
    public static Task<T> RunAsync<T>(Context context, Func<Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Ambient.RunTask(context, FuncConvert.FromFunc(body));
    }

    /// <summary>Captures the current context now; the returned action runs <paramref name="body"/> under it,
    /// wherever it is called (a third-party callback, work queued without execution-context flow).</summary>
    public static Action Wrap(Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var wrapped = Ambient.Wrap(FuncConvert.FromAction(body));
        return () => wrapped.Invoke(null!);
    }

    /// <summary>Captures the current context now; the returned function runs <paramref name="body"/> under it.</summary>
    public static Func<T> Wrap<T>(Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var wrapped = Ambient.Wrap(FuncConvert.FromFunc(body));
        return () => wrapped.Invoke(null!);
    }

    /// <summary>Starts a background thread that runs <paramref name="body"/> under the current context,
    /// even when execution-context flow is suppressed.</summary>
    public static Thread StartThread(Action body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Ambient.StartThread(name!, FuncConvert.FromAction(body));
    }

    /// <summary>Runs <paramref name="body"/> on the thread pool under the current context, even under
    /// <see cref="ExecutionContext.SuppressFlow"/>.</summary>
    public static Task Spawn(Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Ambient.Spawn(FuncConvert.FromFunc(async () =>
        {
            await body().ConfigureAwait(false);
            return true;
        }));
    }

    /// <summary>Runs <paramref name="body"/> on the thread pool under the current context and returns its result.</summary>
    public static Task<T> Spawn<T>(Func<Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Ambient.Spawn(FuncConvert.FromFunc(body));
    }

    // ---- Crossing processes ----------------------------------------------------------------

    /// <summary>The binary form of the current context: serializable entries and the scope chain
    /// (local-only entries never leave, not even their names). See docs/wire-format.md.</summary>
    /// <exception cref="ContextException"><c>SerializationFailed</c> or <c>ContextTooLarge</c>.</exception>
    public static byte[] Serialize() => Ambient.Serialize();

    /// <summary>The header-safe string form of the current context (base64url without padding).</summary>
    /// <exception cref="ContextException"><c>SerializationFailed</c> or <c>ContextTooLarge</c>.</exception>
    public static string SerializeToString() => Ambient.SerializeToString();

    /// <summary>Enters a scope in which the decoded values are laid over the current context; the decoded
    /// scope chain comes first, then the local one. An empty input decodes to no entries.</summary>
    /// <exception cref="ContextException"><c>DeserializationFailed</c> or <c>ContextTooLarge</c>; nothing is entered then.</exception>
    public static ContextScope Deserialize(ReadOnlySpan<byte> bytes) => Ambient.Deserialize(bytes);

    /// <summary>As <see cref="Deserialize"/>, from the string form (null or empty decodes to no entries).</summary>
    /// <exception cref="ContextException"><c>DeserializationFailed</c> or <c>ContextTooLarge</c>; nothing is entered then.</exception>
    public static ContextScope DeserializeFromString(string encoded) => Ambient.DeserializeFromString(encoded);

    /// <summary>Writes the current context into any carrier (HTTP headers, gRPC metadata, message headers)
    /// under the header <c>dcontext</c>; nothing is written when there is nothing to carry.</summary>
    public static void Inject<TCarrier>(TCarrier carrier, Action<TCarrier, string, string> setter)
    {
        ArgumentNullException.ThrowIfNull(setter);
        Ambient.Inject(carrier, FuncConvert.FromAction(setter));
    }

    /// <summary>Reads the <c>dcontext</c> header from any carrier and enters a scope with the decoded values
    /// laid over the current context; a missing header enters a scope with nothing decoded.</summary>
    /// <exception cref="ContextException"><c>DeserializationFailed</c> or <c>ContextTooLarge</c>.</exception>
    public static ContextScope Extract<TCarrier>(TCarrier carrier, Func<TCarrier, string, string?> getter)
    {
        ArgumentNullException.ThrowIfNull(getter);
        return Ambient.Extract(carrier, FuncConvert.FromFunc<TCarrier, string, string>((c, name) => getter(c, name)!));
    }

    // ---- Limits ----------------------------------------------------------------------------

    /// <summary>The largest encoded context in bytes (default 8192), enforced on encode and decode.</summary>
    public static int MaxContextSize
    {
        get => ContextLimits.Current.MaxContextSize;
        set => ContextLimits.Current = ContextLimits.Current.WithMaxContextSize(value);
    }

    /// <summary>The most entries an encoded context may carry (default 64).</summary>
    public static int MaxEntries
    {
        get => ContextLimits.Current.MaxEntries;
        set => ContextLimits.Current = ContextLimits.Current.WithMaxEntries(value);
    }

    /// <summary>The deepest scope chain an encoded context may carry (default 64).</summary>
    public static int MaxScopeChainLength
    {
        get => ContextLimits.Current.MaxScopeChainLength;
        set => ContextLimits.Current = ContextLimits.Current.WithMaxScopeChainLength(value);
    }
}
