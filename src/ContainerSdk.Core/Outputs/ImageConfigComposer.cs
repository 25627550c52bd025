using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// Builds the image config from the layers and the user's settings, starting from the config of the topmost image
/// used as a base (Env, Entrypoint, Cmd, User, WorkingDir, Labels, ExposedPorts, Volumes, StopSignal, history).
/// </summary>
internal static class ImageConfigComposer
{
    public static ImageConfig Compose(IReadOnlyList<BuiltLayer> layers, ImageSettings settings, Platform platform, string created, IBuildLog log)
    {
        var baseConfig = BaseConfigOf(layers);
        var start = baseConfig?.Config ?? new RuntimeConfig();

        var env = new EnvironmentComposer(baseConfig is null ? null : start.Env);
        var modules = new List<(string ItemSpec, Modules.ModuleFile File)>();
        // What isAvail finds in the image: the installed modulefiles, by name and by name/version.
        var available = layers.Select(l => l.ModuleFile).OfType<Modules.InstalledModuleFile>()
            .SelectMany(m => Modules.ModuleFile.Naming(m.SourcePath) is var (_, name, version) ? new[] { name, $"{name}/{version}" } : Array.Empty<string>())
            .ToHashSet(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            if (layer.ModuleFile is { } installed)
                modules.Add((layer.ItemSpec, ApplyModuleFile(env, installed, layer.ItemSpec, log, available)));
            foreach (var pair in layer.Environment)
                env.AddExpanded(pair, layer.ItemSpec);
        }
        Modules.ModuleDependencies.Report(Modules.ModuleDependencies.Check(modules), log);
        Modules.ModuleDependencies.Report(Modules.ModuleDependencies.CheckFamilies(modules), log);
        foreach (var (name, value) in settings.Environment) env.SetLiteral(name, value);

        // Base labels, then what the image says about its modules, then the user's: later wins, as later MSBuild items do.
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in start.Labels) labels[name] = value;
        // The base's module labels, then this image's modules numbered after them (ModuleLabels.For).
        foreach (var (name, value) in ModuleLabels.For(layers, BaseLabelsOf(layers))) labels[name] = value;
        foreach (var (name, value) in settings.Labels) labels[name] = value;

        // As a Dockerfile's ENTRYPOINT does: a new entrypoint drops the base's Cmd unless Cmd is set too.
        var entrypoint = settings.Entrypoint ?? start.Entrypoint;
        var cmd = settings.Cmd ?? (settings.Entrypoint is null ? start.Cmd : null);

        return new ImageConfig
        {
            Architecture = platform.Architecture,
            Os = platform.Os,
            Variant = platform.Variant,
            Created = created,
            Config = new RuntimeConfig
            {
                User = settings.User ?? start.User,
                ExposedPorts = start.ExposedPorts.Concat(settings.Ports).Distinct(StringComparer.Ordinal).ToArray(),
                Env = env.Entries,
                Entrypoint = entrypoint,
                Cmd = cmd,
                Volumes = start.Volumes,
                WorkingDir = settings.WorkingDirectory ?? start.WorkingDir,
                Labels = labels,
                StopSignal = start.StopSignal,
            },
            DiffIds = layers.Select(l => l.DiffId).ToArray(),
            History = History(layers, created),
        };
    }

    /// <summary>
    /// A layer's modulefile, evaluated over the environment of the layers below (with MODULEPATH starting with the
    /// folder it is installed in, so that module load finds it) and applied as Lmod applies it.
    /// </summary>
    private static Modules.ModuleFile ApplyModuleFile(EnvironmentComposer env, Modules.InstalledModuleFile installed, string itemSpec, IBuildLog log,
        IReadOnlySet<string>? available = null)
    {
        var modulePath = new Modules.EnvironmentOperation(Modules.EnvironmentOperationKind.Prepend, "MODULEPATH", installed.ModulePath, ":", 0);
        if (env["MODULEPATH"]?.Split(':').Contains(installed.ModulePath) != true) env.ApplyModule(new[] { modulePath });
        Modules.ModuleFile file;
        try { file = installed.Evaluate(env.Entries, available); }
        catch (ContainerSdkException e) { throw e.About("Module", itemSpec); }
        foreach (var warning in file.Warnings) log.Warning(warning.Code, $"Module '{itemSpec}': {warning.Message}", warning.File ?? file.Path, warning.Line);
        // What the file prints when loaded (an EasyBuild usage note, LmodMessage): the user sees it once, at build.
        foreach (var message in file.Messages) log.Info($"Module '{itemSpec}' says: {message.Text.TrimEnd('\n')}");
        env.ApplyModule(file.Operations);
        return file;
    }

    /// <summary>The config of the topmost image base (parsed once, by its origin); null when every base is a folder or tarball.</summary>
    private static ImageConfig? BaseConfigOf(IReadOnlyList<BuiltLayer> layers) =>
        layers.LastOrDefault(l => l.FromImage is not null)?.FromImage?.Config;

    /// <summary>The labels of the topmost image used as a base (the starting config's), or null.</summary>
    internal static IReadOnlyDictionary<string, string>? BaseLabelsOf(IReadOnlyList<BuiltLayer> layers) => BaseConfigOf(layers)?.Config.Labels;

    /// <summary>
    /// A base image keeps its own history, empty-layer entries included; every other layer gets one entry naming
    /// its item. An image whose history does not match its layers gets one entry per layer.
    /// </summary>
    private static IReadOnlyList<HistoryEntry> History(IReadOnlyList<BuiltLayer> layers, string created)
    {
        var history = new List<HistoryEntry>();
        for (int i = 0; i < layers.Count;)
        {
            var origin = layers[i].FromImage;
            if (origin is null)
            {
                history.Add(new HistoryEntry(created, layers[i].CreatedBy));
                i++;
                continue;
            }
            int count = 1;
            while (i + count < layers.Count && layers[i + count].FromImage?.ConfigPath == origin.ConfigPath
                   && layers[i + count].ItemSpec == layers[i].ItemSpec) count++;
            ImageConfig? config = null;
            try { config = origin.Config; } catch (ContainerSdkException) { }
            if (config is not null && config.History.Count(h => !h.EmptyLayer) == count)
                history.AddRange(config.History);
            else
                history.AddRange(layers.Skip(i).Take(count).Select(l => new HistoryEntry(created, l.CreatedBy)));
            i += count;
        }
        return history;
    }
}
