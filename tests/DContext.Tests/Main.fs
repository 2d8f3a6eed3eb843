module DistributedContext.Tests.Main

open Expecto

let all =
    testList "DContext" [
        ErrorsTests.tests
        CodecTests.tests
        ContextKeyTests.tests
        IntMapTests.tests
        ContextTests.tests
        ContextFlowTests.tests
        ContextTaskTests.tests
        AmbientTests.tests
        WireTests.tests
        KitTests.tests
        QuickStartTests.tests
    ]

[<EntryPoint>]
let main args = runTestsWithCLIArgs [] args all
