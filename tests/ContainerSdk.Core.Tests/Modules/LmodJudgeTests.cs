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
        using var site = new TempDir("lmod-site");
        ModuleFileCorpus.WriteTree(dir.Path, new[] { s });
        var env = WithModulePath(ModuleFileCorpus.Environments[environment], dir.Path);

        var file = ModuleFile.Read(Path.Combine(dir.Path, s.RelativePath), env, SitePackage(s, site.Path), Available(s));
        AssertSameAsLmod(dir.Path, env, file, s, site.Path);
    }

    [Theory]
    [MemberData(nameof(RelocatableCases))]
    public void Relocated_module_load_gives_what_lmod_gives(int sample, int environment)
    {
        var s = ModuleFileCorpus.All[sample];
        using var original = new TempDir("lmod");
        using var moved = new TempDir("lmod");
        using var site = new TempDir("lmod-site");
        ModuleFileCorpus.WriteTree(original.Path, new[] { s });
        var env = WithModulePath(ModuleFileCorpus.Environments[environment], moved.Path);
        var sitePackage = SitePackage(s, site.Path);

        const string target = "/opt/site/pkg-1";
        var file = ModuleFile.Read(Path.Combine(original.Path, s.RelativePath), env, sitePackage, Available(s))
            .Relocated(target, env, s.Prefix, sitePackage, Available(s));
        Assert.DoesNotContain(s.Prefix!, file.Text);
        Assert.Contains(target, file.Text);
        Assert.DoesNotContain(file.Warnings, w => w.Code == ContainerSdk.Core.Diagnostics.Codes.ModulePathNotMoved);
        ModuleFileCorpus.WriteTree(moved.Path, new[] { s with { Text = file.Text } });

        var moduleFile = ModuleFile.Read(Path.Combine(moved.Path, s.RelativePath), env, sitePackage, Available(s));
        // The same operations, but where a value names the folder the file was loaded from (myFileName, hierarchyA).
        Assert.Equal(file.Operations.Select(o => o with { Value = o.Value?.Replace(original.Path.TrimStart('/'), moved.Path.TrimStart('/'), StringComparison.Ordinal) }),
            moduleFile.Operations);
        AssertSameAsLmod(moved.Path, env, moduleFile, s, site.Path);
        Assert.Contains(moduleFile.Operations, o => o.Value?.StartsWith(target, StringComparison.Ordinal) == true);
    }

    private static string[] WithModulePath(string[] environment, string modulePath)
        => environment.Append("MODULEPATH=" + modulePath).ToArray();

    /// <summary>The sample's SitePackage.lua, written where LMOD_PACKAGE_PATH will point Lmod (<paramref name="folder"/>), or null.</summary>
    private static LmodSitePackage? SitePackage(ModuleFileCorpus.Sample sample, string folder)
    {
        if (sample.SitePackage is null) return null;
        var path = Path.Combine(folder, "SitePackage.lua");
        File.WriteAllText(path, sample.SitePackage);
        return LmodSitePackage.Read(path);
    }

    /// <summary>What isAvail finds in the tree WriteTree writes: the sample and its dependencies, by name and name/version.</summary>
    private static IReadOnlySet<string> Available(ModuleFileCorpus.Sample sample)
        => sample.Dependencies.Append(ModuleFile.Naming("/" + sample.RelativePath) is var (_, n, v) ? $"{n}/{v}" : "")
            .SelectMany(m => new[] { m, m.Split('/')[0] }).ToHashSet(StringComparer.Ordinal);

    private static void AssertSameAsLmod(string modulePath, string[] env, ModuleFile file, ModuleFileCorpus.Sample sample, string siteFolder)
    {
        // A prereq must be loaded before; Lmod refuses the module otherwise (the SDK checks that an earlier item provides it).
        var prerequisites = file.Dependencies.Where(d => d.Statement.StartsWith("prereq", StringComparison.Ordinal)).Select(d => d.Alternatives[0]);
        var lmodEnv = sample.SitePackage is null ? env : env.Append("LMOD_PACKAGE_PATH=" + siteFolder).ToArray();
        var lmod = Lmod.Comparable(Lmod.Load(modulePath, lmodEnv, out var printed, prerequisites.Append(file.FullName).ToArray()));
        // What the file prints on load is a build message, and Lmod prints it too.
        Assert.Equal(sample.Messages, file.Messages.Select(m => m.Text.TrimEnd('\n')));
        foreach (var message in sample.Messages) Assert.Contains(message, printed);
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
