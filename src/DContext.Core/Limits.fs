namespace DistributedContext

open System.Threading

/// <summary>
/// The limits every encode and decode enforces (decode checks them before allocating what the input
/// claims). The defaults are the W3C Baggage minimums: 8192 bytes and 64 entries; 64 scopes.
/// Immutable: change the process-wide limits by assigning <c>ContextLimits.Current</c>.
/// </summary>
[<Sealed>]
type ContextLimits(maxContextSize: int, maxEntries: int, maxScopeChainLength: int) =
    static let defaults = ContextLimits(8192, 64, 64)
    static let mutable current = defaults
    do
        if maxContextSize < 16 then invalidArg (nameof maxContextSize) "MaxContextSize must be at least 16 bytes."
        if maxEntries < 0 then invalidArg (nameof maxEntries) "MaxEntries cannot be negative."
        if maxScopeChainLength < 0 then invalidArg (nameof maxScopeChainLength) "MaxScopeChainLength cannot be negative."

    /// <summary>The largest encoded context, in bytes of the binary form.</summary>
    member _.MaxContextSize = maxContextSize
    /// <summary>The most entries an encoded context may carry.</summary>
    member _.MaxEntries = maxEntries
    /// <summary>The deepest scope chain an encoded context may carry.</summary>
    member _.MaxScopeChainLength = maxScopeChainLength

    /// <summary>These limits with another MaxContextSize.</summary>
    member _.WithMaxContextSize value = ContextLimits(value, maxEntries, maxScopeChainLength)
    /// <summary>These limits with another MaxEntries.</summary>
    member _.WithMaxEntries value = ContextLimits(maxContextSize, value, maxScopeChainLength)
    /// <summary>These limits with another MaxScopeChainLength.</summary>
    member _.WithMaxScopeChainLength value = ContextLimits(maxContextSize, maxEntries, value)

    /// <summary>8192 bytes, 64 entries, 64 scopes.</summary>
    static member Default = defaults

    /// <summary>The limits the process uses unless a call is given its own.</summary>
    static member Current
        with get () = Volatile.Read &current
        and set (value: ContextLimits) =
            if isNull (box value) then nullArg (nameof value)
            Volatile.Write(&current, value)
