using ContainerSdk.Core.Modules;

namespace ContainerSdk.Tests.Modules;

/// <summary>
/// Lmod is the judge: for every sample modulefile, in every sample environment, Lmod's own <c>module load</c> and the
/// SDK's reading of the file must leave the same variables with the same values, as written and after the file has
/// been moved to another prefix.
/// </summary>
[Trait("Category", "EndToEnd")]
public class LmodJudgeTests
{
    public static TheoryData<int, int> Cases() => CasesOf(ModuleFileCorpus.All);

    /// <summary>The samples that write their prefix out (the hand-written Tcl one builds it from $version: see ModuleFileTests).</summary>
    public static TheoryData<int, int> RelocatableCases() => CasesOf(ModuleFileCorpus.All.Where(s => s != ModuleFileCorpus.HandTcl));

    private static TheoryData<int, int> CasesOf(IEnumerable<ModuleFileCorpus.Sample> samples)
    {
        var data = new TheoryData<int, int>();
        foreach (int s in samples.Select(x => Array.IndexOf(ModuleFileCorpus.All, x)))
            for (int e = 0; e < ModuleFileCorpus.Environments.Length; e++)
                data.Add(s, e);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Module_load_gives_what_lmod_gives(int sample, int environment)
    {
        var s = ModuleFileCorpus.All[sample];
        using var dir = new TempDir("lmod");
        ModuleFileCorpus.WriteTree(dir.Path, new[] { s });
        var env = WithModulePath(ModuleFileCorpus.Environments[environment], dir.Path);

        var file = ModuleFile.Read(Path.Combine(dir.Path, s.RelativePath), env);
        AssertSameAsLmod(dir.Path, env, file);
    }

    [Theory]
    [MemberData(nameof(RelocatableCases))]
    public void Relocated_module_load_gives_what_lmod_gives(int sample, int environment)
    {
        var s = ModuleFileCorpus.All[sample];
        using var original = new TempDir("lmod");
        using var moved = new TempDir("lmod");
        ModuleFileCorpus.WriteTree(original.Path, new[] { s });
        var env = WithModulePath(ModuleFileCorpus.Environments[environment], moved.Path);

        const string target = "/opt/site/pkg-1";
        var file = ModuleFile.Read(Path.Combine(original.Path, s.RelativePath), env).Relocated(target, env, s.Prefix);
        Assert.DoesNotContain(s.Prefix!, file.Text);
        Assert.Contains(target, file.Text);
        Assert.DoesNotContain(file.Warnings, w => w.Code == ContainerSdk.Core.Diagnostics.Codes.ModulePathNotMoved);
        ModuleFileCorpus.WriteTree(moved.Path, new[] { s with { Text = file.Text } });

        var moduleFile = ModuleFile.Read(Path.Combine(moved.Path, s.RelativePath), env);
        Assert.Equal(file.Operations, moduleFile.Operations);
        AssertSameAsLmod(moved.Path, env, moduleFile);
        Assert.Contains(moduleFile.Operations, o => o.Value?.StartsWith(target, StringComparison.Ordinal) == true);
    }

    private static string[] WithModulePath(string[] environment, string modulePath)
        => environment.Append("MODULEPATH=" + modulePath).ToArray();

    private static void AssertSameAsLmod(string modulePath, string[] env, ModuleFile file)
    {
        // A prereq must be loaded before; Lmod refuses the module otherwise (the SDK checks that an earlier item provides it).
        var prerequisites = file.Dependencies.Where(d => d.Statement.StartsWith("prereq", StringComparison.Ordinal)).Select(d => d.Alternatives[0]);
        var lmod = Lmod.Comparable(Lmod.Load(modulePath, env, prerequisites.Append(file.FullName).ToArray()));
        var ours = Lmod.Comparable(ModuleEnvironment.Apply(env, file.Operations));
        var differences = lmod.Keys.Union(ours.Keys).Order(StringComparer.Ordinal)
            .Where(k => !lmod.TryGetValue(k, out var a) || !ours.TryGetValue(k, out var b) || a != b)
            .Select(k => $"{k}: lmod={(lmod.TryGetValue(k, out var a) ? $"'{a}'" : "(unset)")} sdk={(ours.TryGetValue(k, out var b) ? $"'{b}'" : "(unset)")}")
            .ToList();
        Assert.True(differences.Count == 0, $"{file.FullName} in [{string.Join(' ', env)}]:\n{string.Join('\n', differences)}");
        // Not a vacuous comparison: the module changed something.
        Assert.NotEqual(Lmod.Comparable(env), ours);
    }
}
