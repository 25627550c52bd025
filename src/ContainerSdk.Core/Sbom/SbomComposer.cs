using System.Text.RegularExpressions;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Modules;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Sbom;

/// <summary>
/// The SBOM's components, from what the build already knows (no scanning): one per base (a base image by its reference
/// and manifest digest, a rootfs tarball by its SHA-256, a rootfs folder by its layer's digest) and one per
/// <c>Module</c> item (all its layers, when it was split), in item order, with the dependency graph the modulefiles'
/// <c>depends_on</c>/<c>prereq</c> give.
/// </summary>
internal static partial class SbomComposer
{
    public static IReadOnlyList<SbomComponent> Components(IReadOnlyList<BuiltLayer> layers)
    {
        var components = new List<SbomComponent>();
        var modules = new List<(SbomComponent Component, ModuleFile? File)>();
        foreach (var group in Groups(layers))
        {
            if (group[0].Kind == LayerKind.Base)
            {
                components.Add(Base(group, components.Count + 1));
                continue;
            }
            var (component, file) = Module(group, modules.Count + 1);
            // What this module's modulefile needs, provided by an earlier module (as the build's check matches them).
            if (file is not null)
            {
                var needs = file.Dependencies
                    .Select(d => modules.LastOrDefault(m => m.File is not null && d.Alternatives.Any(a => ModuleDependencies.Provides(m.File, a))).Component?.Ref)
                    .OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
                component = component with { DependsOn = needs };
            }
            modules.Add((component, file));
            components.Add(component);
        }
        return components;
    }

    /// <summary>Consecutive layers of one item (a base image's layers, a split module's parts) together.</summary>
    private static List<List<BuiltLayer>> Groups(IReadOnlyList<BuiltLayer> layers)
    {
        var groups = new List<List<BuiltLayer>>();
        foreach (var layer in layers)
        {
            if (groups.Count > 0 && groups[^1][0] is var first && first.Kind == layer.Kind && first.ItemSpec == layer.ItemSpec && Equals(first.FromImage, layer.FromImage))
                groups[^1].Add(layer);
            else groups.Add(new List<BuiltLayer> { layer });
        }
        return groups;
    }

    private static SbomComponent Base(List<BuiltLayer> layers, int n)
    {
        var first = layers[0];
        var source = first.SourcePath ?? first.ItemSpec;
        var properties = new List<KeyValuePair<string, string>> { new("containersdk:item", first.ItemSpec) };
        properties.AddRange(layers.Select(l => new KeyValuePair<string, string>("containersdk:layer", l.Descriptor.Digest.ToString())));
        if (first.FromImage is { } origin)
        {
            // An image: named by its reference, pinned by its manifest digest.
            var name = string.IsNullOrEmpty(origin.ImageName) ? first.ItemSpec : origin.ImageName;
            Oci.Digest? digest = Oci.Digest.TryParse(origin.ManifestDigest, out var d) ? d : null;
            string? purl = null;
            if (digest is { } pinned && RegistryReference.IsRegistryReference(first.ItemSpec))
            {
                var reference = RegistryReference.Parse(first.ItemSpec);
                purl = PackageUrl.Oci(reference.Repository, pinned, reference.Tag, architecture: null, reference.Registry);
            }
            return new SbomComponent
            {
                Ref = $"base:{n}", Type = "container", Name = name, Version = digest?.ToString(), Purl = purl,
                Sha256 = digest is { } h ? new[] { h.Hex } : Array.Empty<string>(), Properties = properties,
            };
        }
        // A rootfs tarball by its own bytes (hashed once, by the layers step's planning); a folder has none: its layer's
        // digest names its content.
        var hashes = first.SourceSha256 is { } sha256 ? new[] { sha256 } : layers.Select(l => l.Descriptor.Digest.Hex).ToArray();
        return new SbomComponent
        {
            Ref = $"base:{n}", Type = "file", Name = Path.GetFileName(source.TrimEnd('/')), Sha256 = hashes, Properties = properties,
        };
    }

    private static (SbomComponent, ModuleFile?) Module(List<BuiltLayer> layers, int n)
    {
        var first = layers[0];
        var installed = first.ModuleFile;
        var whatis = installed is null ? ModuleWhatis.None : ModuleWhatis.Read(installed.Text);
        ModuleFile? file = null;
        if (installed is not null)
        {
            // Read only for its names and dependencies: the image step evaluated it already, with the layers' environment.
            try { file = ModuleFile.Parse(installed.Text, installed.SourcePath, Array.Empty<string>()); }
            catch (Exception e) when (e is Diagnostics.ContainerSdkException or FormatException) { }
        }
        var folder = Outputs.ModuleLabels.NameOf(first.ItemSpec);
        var (folderName, folderVersion) = SplitVersion(folder);
        string name = file?.Name ?? whatis.Name ?? folderName;
        string? version = Blank(first.Version) ?? whatis.Version ?? file?.Version ?? folderVersion;

        var properties = new List<KeyValuePair<string, string>>
        {
            new("containersdk:item", first.ItemSpec),
            new("containersdk:targetPath", first.TargetPath),
        };
        if (installed is not null) properties.Add(new("containersdk:modulefile", installed.ImagePath));
        properties.AddRange(layers.Select(l => new KeyValuePair<string, string>("containersdk:layer", l.Descriptor.Digest.ToString())));
        var component = new SbomComponent
        {
            Ref = $"module:{n}:{name}", Type = "application", Name = name, Version = version,
            Description = whatis.Description, Homepage = whatis.Homepage,
            License = Blank(first.License) is { } license ? SpdxExpression.Classify(license) : null,
            Sha256 = layers.Select(l => l.Descriptor.Digest.Hex).ToArray(),
            Properties = properties,
        };
        return (component, file);
    }

    /// <summary>"openmpi-4.1.6" is openmpi 4.1.6, "suite_12" suite 12; "tool" has no version.</summary>
    internal static (string Name, string? Version) SplitVersion(string folder) =>
        NameVersion().Match(folder) is { Success: true } m ? (m.Groups["n"].Value, m.Groups["v"].Value) : (folder, null);

    [GeneratedRegex(@"^(?<n>.+?)[-_](?<v>\d[A-Za-z0-9.+~_-]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex NameVersion();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
