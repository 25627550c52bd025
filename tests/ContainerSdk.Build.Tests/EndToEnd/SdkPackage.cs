using ContainerSdk.Tests;
using ContainerSdk.Tests.EndToEnd;

[assembly: AssemblyFixture(typeof(SdkPackage))]

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// The ContainerSdk package, packed from this checkout once per test run into a private feed, the way a user
/// gets it. Packing is lazy (first end-to-end test that asks) so that a filtered run of other tests pays nothing,
/// and a failed pack fails the end-to-end tests with its output instead of every test in the assembly.
/// </summary>
public sealed class SdkPackage : IDisposable
{
    public const string Id = "ContainerSdk";
    public const string Version = "0.1.0";

    private readonly TempDir root = new("e2e");
    private readonly Lazy<Task<string>> feed;

    public SdkPackage() => feed = new Lazy<Task<string>>(() => Task.Run(Pack));

    /// <summary>Scratch folder for this run: the feed, the isolated package cache, the test projects.</summary>
    public string Root => root.Path;

    /// <summary>
    /// NUGET_PACKAGES for the test builds: a fresh cache, so that the package under test is the one just packed,
    /// never a stale ContainerSdk 0.1.0 extracted by an earlier run.
    /// </summary>
    public string PackagesFolder => Path.Combine(Root, "packages");

    /// <summary>The folder holding ContainerSdk.0.1.0.nupkg; packs on first call.</summary>
    public Task<string> GetFeedAsync() => feed.Value;

    private string Pack()
    {
        var output = Path.Combine(Root, "feed");
        var solution = Path.Combine(RepoRoot.Path, "ContainerSdk.sln");
        // The machine's package cache here (not PackagesFolder): packing restores the SDK's own dependencies.
        Dotnet.Run(new[] { "pack", solution, "-o", output, "-c", "Release" }, RepoRoot.Path)
            .EnsureSuccess($"dotnet pack {solution}");
        var nupkg = Path.Combine(output, $"{Id}.{Version}.nupkg");
        if (!File.Exists(nupkg))
            Assert.Fail($"dotnet pack did not write {nupkg}; the feed holds: " +
                        string.Join(", ", Directory.Exists(output) ? Directory.GetFiles(output).Select(Path.GetFileName) : Array.Empty<string>()));
        return output;
    }

    public void Dispose() => root.Dispose();
}
