using System.IO.Compression;
using System.Reflection;
using System.Runtime;
using System.Runtime.Loader;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// The package's engine carries ReadyToRun code that the runtime running these tests (the one the SDK's MSBuild
/// runs on) takes instead of JIT-compiling: a fresh MSBuild process per build would otherwise compile it anew.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ReadyToRunTests(SdkPackage sdk)
{
    [Fact]
    public async Task The_packed_engine_runs_its_precompiled_code()
    {
        var feed = await sdk.GetFeedAsync();
        var dir = Path.Combine(sdk.Root, "r2r-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var packed = Path.Combine(dir, "ContainerSdk.Core.dll");
        using (var nupkg = ZipFile.OpenRead(Path.Combine(feed, $"{SdkPackage.Id}.{SdkPackage.Version}.nupkg")))
            nupkg.GetEntry("tools/net8.0/ContainerSdk.Core.dll")!.ExtractToFile(packed);
        // The IL-only assembly the pack compiled it from.
        var il = Path.Combine(RepoRoot.Path, "src", "ContainerSdk.Core", "bin", "Release", "net8.0", "ContainerSdk.Core.dll");

        int jittedPacked = MethodsJitted(packed), jittedIl = MethodsJitted(il);
        Assert.True(jittedIl >= 5, $"the IL assembly needed {jittedIl} methods compiled: the probe exercises too little code");
        Assert.True(jittedPacked * 2 <= jittedIl, $"the packed engine needed {jittedPacked} methods JIT-compiled, the IL one {jittedIl}: its ReadyToRun code was not used");
    }

    /// <summary>
    /// Loads the assembly on its own and counts the methods the JIT compiles for one call into it. The context is
    /// not collectible, as MSBuild's is not: the runtime never uses ReadyToRun code in a collectible one.
    /// </summary>
    private static int MethodsJitted(string assemblyPath)
    {
        var context = new AssemblyLoadContext("r2r-probe-" + assemblyPath);
        var assembly = context.LoadFromAssemblyPath(assemblyPath);
        var validate = assembly.GetType("ContainerSdk.Core.Oci.ImageReference", throwOnError: true)!
            .GetMethod("ValidateRepository", BindingFlags.Public | BindingFlags.Static)!;
        long before = JitInfo.GetCompiledMethodCount(currentThread: true);
        validate.Invoke(null, new object[] { "registry.example.org/hpc/site" });
        return (int)(JitInfo.GetCompiledMethodCount(currentThread: true) - before);
    }
}
