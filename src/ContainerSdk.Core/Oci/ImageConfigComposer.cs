using ContainerSdk.Core.Build;

namespace ContainerSdk.Core.Oci;

/// <summary>Builds the image config from the layers and the user's settings (no base image config yet).</summary>
internal static class ImageConfigComposer
{
    public static ImageConfig Compose(IReadOnlyList<BuiltLayer> layers, ImageSettings settings, Platform platform, string created)
    {
        var env = new EnvironmentComposer();
        foreach (var layer in layers)
            foreach (var pair in layer.Environment)
                env.AddExpanded(pair, layer.ItemSpec);
        foreach (var (name, value) in settings.Environment) env.SetLiteral(name, value);

        // Later labels with the same name win, as later MSBuild items do.
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in settings.Labels) labels[name] = value;

        return new ImageConfig
        {
            Architecture = platform.Architecture,
            Os = platform.Os,
            Variant = platform.Variant,
            Created = created,
            Config = new RuntimeConfig
            {
                User = settings.User,
                ExposedPorts = settings.Ports,
                Env = env.Entries,
                Entrypoint = settings.Entrypoint,
                Cmd = settings.Cmd,
                WorkingDir = settings.WorkingDirectory,
                Labels = labels,
            },
            DiffIds = layers.Select(l => l.DiffId).ToArray(),
            History = layers.Select(l => new HistoryEntry(created, l.CreatedBy)).ToArray(),
        };
    }
}
