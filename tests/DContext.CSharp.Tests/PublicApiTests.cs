using PublicApiGenerator;
using Xunit;

namespace DistributedContext.Tests;

/// <summary>
/// The public surface of both assemblies against committed baselines, so that any change to the
/// contract is deliberate: on a difference the test writes <c>*.received.txt</c> next to the baseline;
/// review it and copy it over the <c>.approved.txt</c> file.
/// </summary>
public class PublicApiTests
{
    private static string ApiDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "api");

    [Theory]
    [InlineData("DContext.Core")]
    [InlineData("DContext.CSharp")]
    public void Public_API_matches_the_approved_baseline(string assemblyName)
    {
        var assembly = assemblyName == "DContext.Core" ? typeof(Context).Assembly : typeof(DContext).Assembly;
        var actual = assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        var approvedPath = Path.Combine(ApiDirectory(), $"{assemblyName}.approved.txt");
        var receivedPath = Path.Combine(ApiDirectory(), $"{assemblyName}.received.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";
        if (actual != approved)
        {
            File.WriteAllText(receivedPath, actual);
            Assert.Fail($"The public API of {assemblyName} changed. Review {receivedPath} and, if the change is deliberate, copy it to {approvedPath}.");
        }
        if (File.Exists(receivedPath)) File.Delete(receivedPath);
    }

    [Fact]
    public void No_public_member_of_the_CSharp_facade_exposes_FSharp_types()
    {
        var fsharpTypes = new[] { "FSharpFunc", "FSharpOption", "FSharpList", "FSharpResult", "FSharpAsync" };
        var api = typeof(DContext).Assembly.GeneratePublicApi();
        Assert.DoesNotContain(fsharpTypes, name => api.Contains(name));
    }
}
