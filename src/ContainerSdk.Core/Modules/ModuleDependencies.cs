using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Modules;

/// <summary>
/// Whether each modulefile's <c>depends_on</c>/<c>prereq</c>/<c>load</c> is provided by a Module item that comes
/// earlier (matched by name, or by name/version, as Lmod matches): the image then has the module's environment
/// already, and <c>module load</c> in the container finds it. Anything else is a warning naming both.
/// </summary>
internal static class ModuleDependencies
{
    /// <summary>A dependency that nothing earlier provides: the item, its modulefile's statement, and what would provide it later, if anything.</summary>
    public sealed record Missing(string ItemSpec, ModuleFile File, ModuleDependency Dependency, string? LaterItem);

    /// <param name="modules">The Module items that have a modulefile, in item order.</param>
    public static IReadOnlyList<Missing> Check(IReadOnlyList<(string ItemSpec, ModuleFile File)> modules)
    {
        var missing = new List<Missing>();
        for (int i = 0; i < modules.Count; i++)
        {
            var (itemSpec, file) = modules[i];
            foreach (var dependency in file.Dependencies)
            {
                if (ModuleStatements.IsOptional(dependency.Statement)) continue;
                if (modules.Take(i).Any(m => dependency.Alternatives.Any(a => Provides(m.File, a)))) continue;
                var later = modules.Skip(i + 1).FirstOrDefault(m => dependency.Alternatives.Any(a => Provides(m.File, a)));
                missing.Add(new Missing(itemSpec, file, dependency, later.ItemSpec));
            }
        }
        return missing;
    }

    /// <summary>"gcc" asks for any gcc; "gcc/12.3.0" for that version.</summary>
    public static bool Provides(ModuleFile file, string wanted)
        => wanted.Trim().TrimEnd('/') is var w && (w == file.Name || w == file.FullName);

    /// <summary>A module of a family an earlier item's module already claims: the item, its file, the family and line, and the earlier item.</summary>
    public sealed record SameFamily(string ItemSpec, ModuleFile File, string Family, int Line, string EarlierItem, ModuleFile Earlier);

    /// <summary>
    /// Modules of one family: Lmod keeps one module of a family loaded (loading the second in the container swaps the
    /// first out), while the image config, which applies every item in order, has both environments.
    /// </summary>
    public static IReadOnlyList<SameFamily> CheckFamilies(IReadOnlyList<(string ItemSpec, ModuleFile File)> modules)
    {
        var found = new List<SameFamily>();
        for (int i = 0; i < modules.Count; i++)
            foreach (var (family, line) in modules[i].File.Families)
                if (modules.Take(i).FirstOrDefault(m => m.File.Families.Any(f => string.Equals(f.Name, family, StringComparison.OrdinalIgnoreCase))) is { ItemSpec: not null } earlier)
                    found.Add(new SameFamily(modules[i].ItemSpec, modules[i].File, family, line, earlier.ItemSpec, earlier.File));
        return found;
    }

    public static void Report(IEnumerable<SameFamily> conflicts, IBuildLog log)
    {
        foreach (var c in conflicts)
            log.Warning(Codes.ModuleFamilyTwice,
                $"Module '{c.ItemSpec}' ({c.File.FullName}) is of family '{c.Family}', like Module '{c.EarlierItem}' ({c.Earlier.FullName}): Lmod keeps one module of a family loaded (module load {c.File.FullName} in the container unloads {c.Earlier.FullName}), but the image config has both environments; keep one of them.",
                c.File.Path, c.Line);
    }

    public static void Report(IEnumerable<Missing> missing, IBuildLog log)
    {
        foreach (var m in missing)
        {
            var wanted = string.Join("' or '", m.Dependency.Alternatives);
            var message = m.LaterItem is null
                ? $"Module '{m.ItemSpec}' ({m.File.FullName}): {m.Dependency.Statement} '{wanted}', but no earlier Module item's modulefile provides it: add one before it, or the image lacks what the module needs."
                : $"Module '{m.ItemSpec}' ({m.File.FullName}): {m.Dependency.Statement} '{wanted}', which Module '{m.LaterItem}' provides, but after it: list '{m.LaterItem}' first.";
            log.Warning(Codes.ModuleDependencyNotProvided, message, m.File.Path, m.Dependency.Line);
        }
    }
}
