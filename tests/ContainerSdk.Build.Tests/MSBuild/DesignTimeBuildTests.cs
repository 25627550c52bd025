using System.Diagnostics;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>
/// What Rider, Visual Studio, C# Dev Kit and Roslyn's build host run on load: every design-time target, with their
/// global properties, succeeds without a warning, writes nothing and never walks a module.
/// </summary>
[Collection(InProcessMSBuild.Name)]
public sealed class DesignTimeBuildTests
{
    /// <summary>The targets IDEs call on a project they load or before they build a solution (issue 10).</summary>
    public static readonly string[] DesignTimeTargets =
    {
        "Compile", "CoreCompile", "CompileDesignTime", "ResolveAssemblyReferencesDesignTime",
        "ResolveProjectReferencesDesignTime", "ResolveProjectReferencesDesignTime2", "ResolveComReferencesDesignTime",
        "ResolvePackageDependenciesDesignTime", "CollectPackageReferences", "CollectFrameworkReferences",
        "CollectPackageDownloads", "CollectCentralPackageVersions", "CollectAnalyzersDesignTime",
        "CollectResolvedSDKReferencesDesignTime", "CollectSuggestedWorkloads", "CollectUpToDateCheckInputDesignTime",
        "CollectUpToDateCheckOutputDesignTime", "CollectUpToDateCheckBuiltDesignTime", "GetTargetPath",
        "BuiltProjectOutputGroup", "GetCopyToOutputDirectoryItems",
    };

    /// <summary>The global properties Roslyn's build host and the IDEs set for a design-time build.</summary>
    public static Dictionary<string, string> DesignTimeProperties() => new()
    {
        ["DesignTimeBuild"] = "true",
        ["BuildingProject"] = "false",
        ["SkipCompilerExecution"] = "true",
        ["ProvideCommandLineArgs"] = "true",
        ["BuildProjectReferences"] = "false",
    };

    private static List<string> Listing(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Every_design_time_target_succeeds_without_a_warning_and_writes_nothing()
    {
        // The module folder does not exist: nothing may need it. The tarball and the ACL file do (inputs of the
        // up-to-date check); the base project is only named.
        using var p = new SdkProject("""
            <ItemGroup>
              <BaseLayer Include="base.tar" />
              <BaseLayer Include="../elsewhere/base.containerproj" />
              <Module Include="modules/not-there-yet" TargetPath="/opt/tool" />
              <AclFile Include="acl/site.acl" />
            </ItemGroup>
            """);
        File.WriteAllBytes(p.Dir.Combine("base.tar"), new byte[1024]);
        Directory.CreateDirectory(p.Dir.Combine("acl"));
        File.WriteAllText(p.Dir.Combine("acl", "site.acl"), "# file: opt/tool\nuser::rwx\ngroup::r-x\nother::r-x\n");
        var before = Listing(p.Dir.Path);

        var outcome = p.Build(DesignTimeTargets, DesignTimeProperties());

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(outcome.Log.Warnings);
        Assert.Equal(before, Listing(p.Dir.Path));
        Assert.False(Directory.Exists(p.Dir.Combine("obj")));
        Assert.False(Directory.Exists(p.Dir.Combine("bin")));

        string Items(string target) => string.Join("|", outcome.Result.ResultsByTarget[target].Items.Select(i => i.ItemSpec));
        Assert.Equal(p.Dir.Combine("bin", "Debug", "image") + "/", Items("GetTargetPath"));
        Assert.Equal(p.Dir.Combine("bin", "Debug", "image", "index.json"), Items("CollectUpToDateCheckBuiltDesignTime"));
        // The project and the files its items name; the missing module folder is no file.
        Assert.Equal(new[] { p.ProjectPath, p.Dir.Combine("acl", "site.acl"), p.Dir.Combine("base.tar"), Path.GetFullPath(p.Dir.Combine("..", "elsewhere", "base.containerproj")) }.Where(File.Exists).Order(),
            outcome.Result.ResultsByTarget["CollectUpToDateCheckInputDesignTime"].Items.Select(i => i.ItemSpec).Order());
        Assert.Contains("base.containerproj", Items("ResolveProjectReferencesDesignTime2"));
        Assert.Empty(outcome.Result.ResultsByTarget["GetCopyToOutputDirectoryItems"].Items);
    }

    [Trait("Category", "EndToEnd")] // slow, no tool: writes 20000 files, then 25 design-time builds and 25 of an empty target
    [Fact]
    public void A_design_time_build_of_a_20000_file_module_costs_no_more_than_an_empty_target_and_reads_no_folder()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="modules/big" TargetPath="/opt/big" /></ItemGroup>""");
        var folders = new List<string> { p.Dir.Combine("modules", "big") };
        for (int d = 0; d < 200; d++)
        {
            string sub = p.Dir.Combine("modules", "big", $"d{d:D3}");
            Directory.CreateDirectory(sub);
            folders.Add(sub);
            for (int f = 0; f < 100; f++) File.WriteAllBytes(Path.Combine(sub, $"f{f:D3}"), Array.Empty<byte>());
        }
        // Listing a folder moves its access time where the file system records it (relatime does, the first time
        // after a change): a control folder says whether it does here.
        string control = p.Dir.Combine("control");
        Directory.CreateDirectory(control);
        File.WriteAllBytes(Path.Combine(control, "f"), Array.Empty<byte>());
        var controlBefore = Directory.GetLastAccessTimeUtc(control);
        var folderTimesBefore = folders.Select(Directory.GetLastAccessTimeUtc).ToList();
        Thread.Sleep(20);
        _ = Directory.GetFiles(control);
        bool listingMovesAccessTime = Directory.GetLastAccessTimeUtc(control) != controlBefore;

        // The same harness both ways (a fresh evaluation and a BuildManager build each time): an empty target is
        // the project's evaluation plus MSBuild's fixed cost; every design-time target together may add 50 ms at
        // most. Runs alternate, after a warm-up (JIT tiers, SDK resolution), so that a busy machine slows both
        // alike; the medians are compared.
        var properties = DesignTimeProperties();
        TimeSpan Time(string[] targets)
        {
            var watch = Stopwatch.StartNew();
            var outcome = p.Build(targets, properties);
            watch.Stop();
            Assert.True(outcome.Succeeded, outcome.ToString());
            return watch.Elapsed;
        }
        string[] emptyTarget = { "CollectSuggestedWorkloads" };
        for (int i = 0; i < 10; i++) { Time(DesignTimeTargets); Time(emptyTarget); }
        var emptyTimes = new List<TimeSpan>();
        var designTimes = new List<TimeSpan>();
        for (int i = 0; i < 15; i++)
        {
            emptyTimes.Add(Time(emptyTarget));
            designTimes.Add(Time(DesignTimeTargets));
        }
        TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);
        var empty = Median(emptyTimes);
        var designTime = Median(designTimes);

        Assert.True(designTime <= empty + TimeSpan.FromMilliseconds(50),
            $"design-time build {designTime.TotalMilliseconds:0} ms vs an empty target {empty.TotalMilliseconds:0} ms (medians of 15)");
        if (listingMovesAccessTime)
            Assert.Equal(folderTimesBefore, folders.Select(Directory.GetLastAccessTimeUtc).ToList());
        Assert.False(Directory.Exists(p.Dir.Combine("obj")));
    }
}
