// The build script: `dotnet fsi build.fsx <target>` with target build | test | demo | bench [quick|full].
// A plain F# script (no FAKE). Every step fails loudly: a non-zero exit stops the script with that code.

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions

let root = __SOURCE_DIRECTORY__
let ansi = Regex(@"\x1B\[[0-9;?]*[A-Za-z]|\x1B\[[0-9]*D", RegexOptions.Compiled)
let plain (line: string) = ansi.Replace(line, "")

/// Runs a command in the repository, echoing its output without colour codes; returns the exit code and the output.
let exec (file: string) (args: string) =
    printfn "> %s %s" file args
    let info = ProcessStartInfo(file, args, WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
    info.Environment["DOTNET_NOLOGO"] <- "1"
    use proc = new Process(StartInfo = info)
    let output = Collections.Concurrent.ConcurrentQueue<string>()
    let echo (args: DataReceivedEventArgs) =
        if not (isNull args.Data) then
            let line = plain args.Data
            output.Enqueue line
            Console.WriteLine line
    proc.OutputDataReceived.Add echo
    proc.ErrorDataReceived.Add echo
    proc.Start() |> ignore
    proc.BeginOutputReadLine()
    proc.BeginErrorReadLine()
    proc.WaitForExit()
    proc.ExitCode, String.Join("\n", output)

let fail (message: string) =
    eprintfn "build.fsx: %s" message
    exit 1

let step file args =
    let code, _ = exec file args
    if code <> 0 then fail $"'{file} {args}' exited with {code}"

let build () = step "dotnet" "build DContext.sln -c Release -warnaserror"

/// The test suites: each is a program that runs its tests and prints a summary line we count.
type Suite = { Name: string; Project: string; Args: string; Summary: Regex; Count: Match -> int * int }

let expecto name project =
    { Name = name; Project = project; Args = "--fail-on-focused-tests --no-spinner --colours 0"
      Summary = Regex(@"EXPECTO!.*?(\d+) passed, (\d+) ignored, (\d+) failed, (\d+) errored")
      Count = fun m -> int m.Groups[1].Value, int m.Groups[3].Value + int m.Groups[4].Value }

let xunit name project =
    { Name = name; Project = project; Args = ""
      Summary = Regex(@"Total: (\d+), Errors: (\d+), Failed: (\d+), Skipped: (\d+), Not Run: (\d+)")
      Count = fun m ->
        let total, errors, failed = int m.Groups[1].Value, int m.Groups[2].Value, int m.Groups[3].Value
        total - errors - failed - int m.Groups[4].Value - int m.Groups[5].Value, errors + failed }

let suites =
    [ expecto "F# core" "tests/DContext.Tests"
      xunit "C# facade" "tests/DContext.CSharp.Tests"
      expecto "F# consumer sample" "samples/ConsumerTests.FSharp"
      xunit "C# consumer sample" "samples/ConsumerTests.CSharp" ]

let test () =
    build ()
    let results =
        [ for suite in suites ->
            let code, output = exec "dotnet" $"run --project {suite.Project} -c Release --no-build -- {suite.Args}"
            let summaries = suite.Summary.Matches output |> Seq.toList
            match List.tryLast summaries with
            | Some summary ->
                let passed, failed = suite.Count summary
                // A crash after the summary, or a non-zero exit with no failure counted, is still a failure.
                suite.Name, passed, (if code <> 0 && failed = 0 then 1 else failed)
            | None -> suite.Name, 0, 1 ]
    for name, passed, failed in results do
        printfn "  %-20s %d passed, %d failed" name passed failed
    let passed = results |> List.sumBy (fun (_, p, _) -> p)
    let failed = results |> List.sumBy (fun (_, _, f) -> f)
    printfn "%d passed, %d failed" passed failed
    if failed > 0 then exit 1

let demo () =
    build ()
    step "dotnet" "run --project samples/FSharp.Tour -c Release --no-build"
    step "dotnet" "run --project samples/CSharp.Samples -c Release --no-build"

let bench mode =
    let args =
        match mode with
        // Full: enough iterations for stable ratios on a 2-core machine (about 15 minutes).
        | "full" -> "--filter * --launchCount 1 --warmupCount 6 --iterationCount 20 --exporters github --artifacts benchmarks/results/full"
        // Quick: a smoke run that shows every benchmark works (a few minutes); not for publishing.
        | _ -> "--filter * --job short --warmupCount 1 --iterationCount 3 --exporters github --artifacts benchmarks/results/quick"
    step "dotnet" $"run --project benchmarks/DContext.Benchmarks -c Release -- {args}"

match fsi.CommandLineArgs |> Array.toList |> List.tail with
| [ "build" ] -> build ()
| [ "test" ] -> test ()
| [ "demo" ] -> demo ()
| [ "bench" ] -> bench "quick"
| [ "bench"; mode ] -> bench mode
| other -> fail $"unknown target {other}; use build | test | demo | bench [quick|full]"
