module DistributedContext.Tests.ContextKeyTests

open System
open System.Threading.Tasks
open Expecto
open DistributedContext

let private expectKind kind (action: unit -> 'a) message =
    try
        action () |> ignore
        failtest $"{message}: expected ContextException({kind})"
    with :? ContextException as exn ->
        Expect.equal exn.Kind kind message
        exn

let tests =
    testList "ContextKey" [
        test "registering the same name with the same type is idempotent" {
            let first = ContextKey.register<string> "keys.same"
            let second = ContextKey.register<string> "keys.same"
            Expect.isTrue (obj.ReferenceEquals(first, second)) "same key object"
        }

        test "registering the same name with another type is AlreadyRegistered, naming both types" {
            ContextKey.register<string> "keys.clash" |> ignore
            let exn = expectKind ContextErrorKind.AlreadyRegistered (fun () -> ContextKey.register<int> "keys.clash") "clash"
            Expect.stringContains exn.Message "'keys.clash'" "names the key"
            Expect.stringContains exn.Message "Int32" "names the requested type"
        }

        test "registering a local-only key under a serializable key's name is refused" {
            ContextKey.register<string> "keys.localclash" |> ignore
            expectKind ContextErrorKind.AlreadyRegistered (fun () -> ContextKey.registerLocal<string> "keys.localclash") "local clash" |> ignore
        }

        test "options set version, default and local-only" {
            let key = ContextKey.registerWith<int> "keys.options" (fun o -> o.Version(3).Default(7))
            Expect.equal key.Version 3 "version"
            Expect.equal key.Default 7 "default"
            Expect.isFalse key.IsLocalOnly "serializable"
            let local = ContextKey.registerLocal<string> "keys.local"
            Expect.isTrue local.IsLocalOnly "local"
            Expect.equal local.Name "keys.local" "name"
        }

        test "invalid names and versions are argument errors" {
            Expect.throwsT<ArgumentNullException> (fun () -> ContextKey.register<int> null |> ignore) "null name"
            Expect.throwsT<ArgumentException> (fun () -> ContextKey.register<int> "  " |> ignore) "blank name"
            Expect.throwsT<ArgumentException> (fun () -> ContextKey.registerWith<int> "keys.v0" (fun o -> o.Version 0) |> ignore) "version 0"
        }

        test "find returns the typed key, or NotRegistered / TypeMismatch" {
            let key = ContextKey.register<Guid> "keys.find"
            Expect.isTrue (obj.ReferenceEquals(ContextKey.find<Guid> "keys.find", key)) "found"
            expectKind ContextErrorKind.NotRegistered (fun () -> ContextKey.find<Guid> "keys.missing") "missing" |> ignore
            expectKind ContextErrorKind.TypeMismatch (fun () -> ContextKey.find<string> "keys.find") "wrong type" |> ignore
        }

        test "keys get dense, distinct ids, and concurrent registration of one name yields one key" {
            let keys = Array.Parallel.init 64 (fun _ -> ContextKey.register<int> "keys.concurrent")
            Expect.equal (keys |> Array.distinct |> Array.length) 1 "one key"
            let many = [ for i in 1..10 -> ContextKey.register<int> $"keys.dense.{i}" ]
            let ids = many |> List.map (fun key -> key.Id)
            Expect.equal (List.distinct ids) ids "distinct"
            Expect.equal (List.last ids - List.head ids) 9 "dense"
        }

        test "a separate registry has its own names" {
            let registry = KeyRegistry()
            ContextKey.register<string> "keys.elsewhere" |> ignore
            Expect.isFalse (fst (registry.TryGetKey "keys.elsewhere")) "not in the other registry"
            let own = registry.TryRegister("keys.elsewhere", ContextKeyOptions<int>())
            Expect.isOk own "another type is fine in another registry"
        }
    ]
