module DistributedContext.Tests.ContextTests

open Expecto
open FsCheck
open DistributedContext
open DistributedContext.Tests.Generators

/// Everything a reader can observe of a context.
let observe (context: Context) =
    Context.tryGet Keys.text context, Context.tryGet Keys.number context, Context.tryGet Keys.big context,
    Context.tryGet Keys.flag context, Context.tryGet Keys.tenant context, Context.tryGet Keys.plan context,
    Context.tryGet Keys.secret context, Context.count context, Context.scopeChain context

let tests =
    testList "Context" [
        law "get after set: a read returns what was just set" (fun (context: Context) (value: string) ->
            Context.get Keys.text (Context.set Keys.text value context) = value)

        law "set-set: the second set wins" (fun (context: Context) (first: int) (second: int) ->
            Context.set Keys.number second (Context.set Keys.number first context) = Context.set Keys.number second context)

        law "set elsewhere: setting one key leaves the others as they were" (fun (context: Context) (value: int) ->
            let changed = Context.set Keys.number value context
            Context.tryGet Keys.text changed = Context.tryGet Keys.text context
            && Context.tryGet Keys.tenant changed = Context.tryGet Keys.tenant context)

        law "remove: a removed key reads as unset, and remove after set equals remove" (fun (context: Context) (value: Tenant) ->
            let removed = Context.remove Keys.tenant (Context.set Keys.tenant value context)
            Context.tryGet Keys.tenant removed = None && removed = Context.remove Keys.tenant context)

        law "count: counts exactly the keys a read can see" (fun (ops: ContextOp list) ->
            let context = List.fold apply Context.empty ops
            let visible = removable |> List.filter context.Contains |> List.length
            Context.count context = visible && (Context.count context = 0) = context.IsEmpty)

        law "immutability: a context never changes after writes to a context derived from it" (fun (ops: ContextOp list) (more: ContextOp list) ->
            let context = List.fold apply Context.empty ops
            let before = observe context
            let derived = List.fold apply context more
            derived |> ignore
            observe context = before)

        law "equality: structural over entries and scopes" (fun (ops: ContextOp list) ->
            let a = List.fold apply Context.empty ops
            let b = List.fold apply Context.empty ops
            a = b && hash a = hash b)

        law "scope: entering a scope keeps the entries and appends the name" (fun (context: Context) (NonNull name) ->
            let inner = Context.enterScope name context
            Context.scopeChain inner = Context.scopeChain context @ [ name ]
            && Context.count inner = Context.count context
            && Context.tryGet Keys.text inner = Context.tryGet Keys.text context)

        law "overlay: the top's entries win, the rest come from below, and the top's scopes come first" (fun (top: ContextOp list) (bottom: ContextOp list) ->
            let top = List.fold apply Context.empty top
            let bottom = List.fold apply Context.empty bottom
            let layered = Context.overlay top bottom
            let pick key = Option.orElse (Context.tryGet key bottom) (Context.tryGet key top)
            Context.tryGet Keys.text layered = pick Keys.text
            && Context.tryGet Keys.tenant layered = pick Keys.tenant
            && Context.tryGet Keys.number layered = pick Keys.number
            && Context.scopeChain layered = Context.scopeChain top @ Context.scopeChain bottom)

        test "a key's default is returned when it is unset" {
            Expect.equal (Context.get Keys.withDefault Context.empty) "fallback" "registered default"
            Expect.equal (Context.get Keys.number Context.empty) 0 "type default"
            Expect.isNone (Context.tryGet Keys.withDefault Context.empty) "tryGet sees it unset"
        }

        test "C# members mirror the module functions" {
            let context = Context.Empty.With(Keys.text, "a").With(Keys.number, 2).EnterScope("edge").EnterScope("api")
            Expect.equal (context.Get Keys.text) "a" "Get"
            let found, value = context.TryGet Keys.number
            Expect.isTrue found "TryGet found"
            Expect.equal value 2 "TryGet value"
            Expect.equal context.Count 2 "Count"
            Expect.equal (List.ofSeq context.ScopeChain) [ "edge"; "api" ] "ScopeChain"
            Expect.equal (context.Without(Keys.text).Count) 1 "Without"
            Expect.isTrue Context.Empty.IsEmpty "IsEmpty"
            Expect.throwsT<System.ArgumentNullException> (fun () -> context.EnterScope null |> ignore) "null scope name"
        }

        test "reads stay exact with 256 registered keys set and 64 scopes deep" {
            let keys = [ for i in 0..255 -> ContextKey.register<int> $"context.many.{i}" ]
            let context =
                keys |> List.fold (fun context key -> Context.set key key.Id context) Context.empty
                |> fun context -> Seq.fold (fun c i -> Context.enterScope $"s{i}" c) context [ 1..64 ]
            for key in keys do Expect.equal (Context.get key context) key.Id key.Name
            Expect.equal (Context.count context) 256 "count"
            Expect.equal (List.length (Context.scopeChain context)) 64 "depth"
        }

        test "ToString and the debugger view list names, never a local-only value" {
            let context = Context.empty |> Context.set Keys.secret "hunter2" |> Context.set Keys.text "visible"
            Expect.isFalse ((string context).Contains "hunter2") "ToString hides values"
            Expect.stringContains (string context) "test.secret" "ToString names keys"
            let view = ContextDebugView context
            let shown = [ for pair in view.Entries -> pair.Key, string pair.Value ] |> Map.ofList
            Expect.equal shown["test.text"] "visible" "serializable value shown"
            Expect.isFalse (shown["test.secret"].Contains "hunter2") "local-only value hidden"
        }
    ]
