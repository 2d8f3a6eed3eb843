namespace DistributedContext

open System

/// <summary>What went wrong, as a number C# can switch on. Mirrors the cases of <see cref="T:DistributedContext.ContextError"/>.</summary>
type ContextErrorKind =
    /// No key is registered under the name that was used.
    | NotRegistered = 0
    /// A key with this name is already registered with another type or other options.
    | AlreadyRegistered = 1
    /// The key exists, but its value type is not the one asked for.
    | TypeMismatch = 2
    /// A value could not be encoded (its codec failed, or the key cannot be encoded).
    | SerializationFailed = 3
    /// Bytes or a header value could not be decoded.
    | DeserializationFailed = 4
    /// The context exceeds MaxContextSize, MaxEntries or MaxScopeChainLength.
    | ContextTooLarge = 5
    /// A local-only key was asked to cross a process boundary, or arrived from one.
    | LocalOnlyKey = 6
    /// Scopes were disposed out of order, or from another async flow.
    | ScopeOrder = 7

/// <summary>An expected failure, as a value. Every case names the key it concerns (never its value).</summary>
[<RequireQualifiedAccess>]
type ContextError =
    /// No key is registered under this name.
    | NotRegistered of key: string
    /// The name is taken: by a key of type <c>registered</c>, where <c>requested</c> was asked for, or with other options.
    | AlreadyRegistered of key: string * registered: string * requested: string
    /// The key holds values of type <c>expected</c>; <c>actual</c> was used.
    | TypeMismatch of key: string * expected: string * actual: string
    /// The key's value could not be encoded.
    | SerializationFailed of key: string * reason: string
    /// The input could not be decoded; <c>key</c> is empty when the envelope itself is bad.
    | DeserializationFailed of key: string * reason: string
    /// The context is larger than a limit allows.
    | ContextTooLarge of what: string * size: int * limit: int * detail: string
    /// A local-only key was asked to cross, or arrived from, another process.
    | LocalOnlyKey of key: string
    /// A scope was disposed out of order or from another async flow.
    | ScopeOrder of detail: string

    /// <summary>The kind of this error.</summary>
    member this.Kind =
        match this with
        | NotRegistered _ -> ContextErrorKind.NotRegistered
        | AlreadyRegistered _ -> ContextErrorKind.AlreadyRegistered
        | TypeMismatch _ -> ContextErrorKind.TypeMismatch
        | SerializationFailed _ -> ContextErrorKind.SerializationFailed
        | DeserializationFailed _ -> ContextErrorKind.DeserializationFailed
        | ContextTooLarge _ -> ContextErrorKind.ContextTooLarge
        | LocalOnlyKey _ -> ContextErrorKind.LocalOnlyKey
        | ScopeOrder _ -> ContextErrorKind.ScopeOrder

    /// <summary>What happened, to which key, and what to do about it.</summary>
    member this.Message =
        match this with
        | NotRegistered key ->
            $"No context key is registered under the name '{key}'. Register it first (ContextKey.register / DContext.Register) with the type it holds."
        | AlreadyRegistered(key, registered, requested) ->
            $"The context key '{key}' is already registered as {registered}; it cannot be registered again as {requested}. Use the existing key, or pick another name."
        | TypeMismatch(key, expected, actual) ->
            $"The context key '{key}' holds values of type {expected}, not {actual}. Use the type it was registered with."
        | SerializationFailed(key, reason) ->
            $"The value of context key '{key}' could not be encoded: {reason}. Check the key's codec, or register the key as local-only if it must not leave the process."
        | DeserializationFailed("", reason) ->
            $"The encoded context could not be decoded: {reason}. The input is corrupt, truncated, or was not written by DContext."
        | DeserializationFailed(key, reason) ->
            $"The entry for context key '{key}' could not be decoded: {reason}. Check that both sides register the key with the same type, codec and migrations."
        | ContextTooLarge(what, size, limit, detail) ->
            let detail = if String.IsNullOrEmpty detail then "" else $" ({detail})"
            $"The context is too large: {what} is {size}, over the limit of {limit}{detail}. Carry less in the context, or raise the limit on both sides."
        | LocalOnlyKey key ->
            $"The context key '{key}' is local-only: it never crosses a process boundary. Register it with ContextKey.register (not registerLocal) if it must travel."
        | ScopeOrder detail ->
            $"Scopes were disposed out of order: {detail}. Dispose each scope in the flow that entered it, innermost first (a 'use'/'using' block does this)."

/// <summary>The exception thrown by the throwing forms of the API (the C# facade and F# functions not named <c>try…</c>).</summary>
type ContextException(error: ContextError, inner: exn) =
    inherit Exception(error.Message, inner)

    /// <summary>Creates the exception for an error.</summary>
    new(error: ContextError) = ContextException(error, null)

    /// <summary>What went wrong, as a number C# can switch on.</summary>
    member _.Kind = error.Kind

    /// <summary>What went wrong, as a value.</summary>
    member _.Error = error
