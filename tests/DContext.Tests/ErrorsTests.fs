module DistributedContext.Tests.ErrorsTests

open Expecto
open DistributedContext

let tests =
    testList "Errors" [
        test "every error kind has a case whose message names the key and says what to do" {
            let cases =
                [ ContextError.NotRegistered "request_id"
                  ContextError.AlreadyRegistered("request_id", "String v1", "Int32 v1")
                  ContextError.TypeMismatch("request_id", "String", "Int32")
                  ContextError.SerializationFailed("request_id", "boom")
                  ContextError.DeserializationFailed("request_id", "truncated")
                  ContextError.LocalOnlyKey "request_id" ]
            for error in cases do
                Expect.stringContains error.Message "'request_id'" $"{error.Kind} names the key"
            let kinds = [ for error in cases -> error.Kind ] @ [ ContextError.ContextTooLarge("size", 9000, 8192, "").Kind; ContextError.ScopeOrder("x").Kind ]
            Expect.equal (List.distinct kinds |> List.length) (System.Enum.GetValues<ContextErrorKind>().Length) "one case per kind"
        }

        test "ContextException carries the kind and the error" {
            let error = ContextError.TypeMismatch("tenant", "Tenant", "String")
            let exn = ContextException error
            Expect.equal exn.Kind ContextErrorKind.TypeMismatch "kind"
            Expect.equal exn.Error error "error"
            Expect.equal exn.Message error.Message "message"
        }
    ]
