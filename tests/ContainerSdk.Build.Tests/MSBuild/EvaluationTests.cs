using System.Diagnostics;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>IDEs evaluate a project on every load: evaluation must never walk what the items name.</summary>
[Collection(InProcessMSBuild.Name)]
public sealed class EvaluationTests
{
    [Fact]
    public void Evaluation_succeeds_when_module_and_base_paths_do_not_exist()
    {
        using var p = new SdkProject("""
            <ItemGroup>
              <BaseLayer Include="base/rootfs.tar.gz" />
              <Module Include="modules/not-there-yet" TargetPath="/opt/x" />
              <AclFile Include="acl/none.acl" />
            </ItemGroup>
            """);
        var project = p.Evaluate();
        Assert.Equal("modules/not-there-yet", Assert.Single(project.GetItems("Module")).EvaluatedInclude);
        Assert.Single(project.GetItems("BaseLayer"));
    }

    [Trait("Category", "EndToEnd")] // slow, no tool: writes a module folder of 10000 files
    [Fact]
    public void Evaluation_lists_no_file_of_a_large_module_directory()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="modules/big" TargetPath="/opt/big" /></ItemGroup>""");
        string big = p.Dir.Combine("modules", "big");
        for (int d = 0; d < 100; d++)
        {
            string sub = Path.Combine(big, $"d{d:D3}");
            Directory.CreateDirectory(sub);
            for (int f = 0; f < 100; f++) File.WriteAllBytes(Path.Combine(sub, $"f{f:D3}"), Array.Empty<byte>());
        }

        var watch = Stopwatch.StartNew();
        var project = p.Evaluate();
        watch.Stop();

        var underModule = project.AllEvaluatedItems.Where(i => i.EvaluatedInclude.Replace('\\', '/').Contains("modules/big/")).ToList();
        Assert.Empty(underModule);
        // Also no item with a wildcard-expanded include from the project folder at all (no default globs).
        Assert.DoesNotContain(project.AllEvaluatedItems, i => i.EvaluatedInclude.Contains("/d0") || i.EvaluatedInclude.Contains("f000"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"evaluation took {watch.Elapsed}");
    }
}
