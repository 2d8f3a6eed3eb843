module DistributedContext.Tests.IntMapTests

open Expecto
open FsCheck
open FsCheck.FSharp
open DistributedContext
open DistributedContext.Tests.Generators

type MapOp =
    | Add of id: int * value: int
    | Remove of id: int

let private genId = Gen.oneof [ Gen.choose (0, 40); Gen.choose (0, 2000); Gen.choose (0, 1 <<< 20) ]
let private genMapOp =
    Gen.oneof [ Gen.map2 (fun id value -> Add(id, value)) genId (Gen.choose (-100, 100))
                Gen.map Remove genId ]
let private arbScript = Arb.fromGen (Gen.listOf genMapOp)

let private run ops =
    ops |> List.fold (fun (map, model: Map<int, int>) op ->
        match op with
        | Add(id, value) -> IntMap.add id (box value) map, model.Add(id, value)
        | Remove id -> IntMap.remove id map, model.Remove id) (IntMap.empty, Map.empty)

let tests =
    testList "IntMap" [
        testPropertyWithConfig config "model: the trie agrees with Map after any script of adds and removes"
            (Prop.forAll arbScript (fun ops ->
                let map, model = run ops
                let entries = IntMap.toList map |> List.map (fun (id, value) -> id, unbox<int> value)
                entries = Map.toList model && map.Count = model.Count))

        testPropertyWithConfig config "persistence: a write never changes the map it started from"
            (Prop.forAll arbScript (fun ops ->
                let map, _ = run ops
                let before = IntMap.toList map
                IntMap.add 5 (box 1) map |> ignore
                IntMap.remove 5 map |> ignore
                IntMap.toList map = before))

        test "lookups find ids across levels" {
            let ids = [ 0; 31; 32; 1023; 1024; 32767; 1 <<< 20; System.Int32.MaxValue ]
            let map = ids |> List.fold (fun map id -> IntMap.add id (box id) map) IntMap.empty
            for id in ids do
                let mutable value = null
                Expect.isTrue (IntMap.tryFind id map &value) $"finds {id}"
                Expect.equal (unbox<int> value) id "value"
            let mutable ignored = null
            Expect.isFalse (IntMap.tryFind 33 map &ignored) "absent id"
            Expect.equal map.Count ids.Length "count"
        }
    ]
