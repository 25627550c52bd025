using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Oci;
using ContainerSdk.Tasks;
using ContainerSdk.Tests;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>
/// Item metadata as MSBuild evaluates it (real ProjectItemInstances, with MSBuild's escaping) turned into the
/// engine's records by the tasks' translation functions.
/// </summary>
[Collection(InProcessMSBuild.Name)]
public sealed class ItemTranslationTests
{
    private static ITaskItem[] Items(SdkProject p, string type)
        => p.Evaluate().CreateProjectInstance().GetItems(type).Cast<ITaskItem>().ToArray();

    [Fact]
    public void Module_metadata_flows_into_the_LayerInput()
    {
        using var p = new SdkProject("""
            <ItemGroup>
              <BaseLayer Include="base/rootfs.tar.gz" Reference="v2" />
              <Module Include="modules/openmpi-4.1.6/" TargetPath="/opt/openmpi/4.1.6" Owner="0" Group="licensed"
                      Environment="PATH=/opt/openmpi/4.1.6/bin:$PATH;LD_LIBRARY_PATH=/opt/openmpi/4.1.6/lib;SEP=a%3Bb"
                      Version="4.1.6" License="BSD-3-Clause">
                <ExcludeFiles>*.la;share/doc/**</ExcludeFiles>
                <RemovePaths>/opt/old;/etc/motd</RemovePaths>
              </Module>
            </ItemGroup>
            """);
        Directory.CreateDirectory(p.Dir.Combine("modules", "openmpi-4.1.6"));
        Directory.CreateDirectory(p.Dir.Combine("base"));
        File.WriteAllBytes(p.Dir.Combine("base", "rootfs.tar.gz"), new byte[] { 0x1f, 0x8b });

        var inputs = BuildContainerLayers.ToLayerRequests(Items(p, "BaseLayer"), Items(p, "Module"), p.ProjectPath);

        Assert.Equal(2, inputs.Count);
        var baseLayer = inputs[0];
        Assert.Equal(LayerKind.Base, baseLayer.Kind);
        Assert.Equal(p.Dir.Combine("base", "rootfs.tar.gz"), baseLayer.SourcePath);
        Assert.Equal("/", baseLayer.TargetPath);
        Assert.Equal("v2", baseLayer.Reference);

        var module = inputs[1];
        Assert.Equal(LayerKind.Module, module.Kind);
        Assert.Equal("modules/openmpi-4.1.6/", module.ItemSpec);
        Assert.Equal(p.Dir.Combine("modules", "openmpi-4.1.6"), module.SourcePath);
        Assert.Equal("/opt/openmpi/4.1.6", module.TargetPath);
        Assert.Equal("0", module.Owner);
        Assert.Equal("licensed", module.Group);
        Assert.Equal(new[] { "*.la", "share/doc/**" }, module.Exclude);
        Assert.Equal("opt/openmpi/4.1.6", module.TargetKey);
        Assert.Equal(0, module.OwnerId);
        Assert.Null(module.GroupId);
        Assert.Equal(new[] { "opt/old", "etc/motd" }, module.RemoveKeys);
        Assert.Equal(new[] { "PATH=/opt/openmpi/4.1.6/bin:$PATH", "LD_LIBRARY_PATH=/opt/openmpi/4.1.6/lib", "SEP=a;b" }, module.Environment);
        Assert.Equal("4.1.6", module.Version);
        Assert.Equal("BSD-3-Clause", module.License);
    }

    [Fact]
    public void Defaults_of_module_metadata()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="m" /></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("m"));
        var module = Assert.Single(BuildContainerLayers.ToLayerRequests(Array.Empty<ITaskItem>(), Items(p, "Module"), p.ProjectPath));
        Assert.Equal("/", module.TargetPath);
        Assert.Equal("", module.TargetKey);
        Assert.Null(module.Owner);
        Assert.Null(module.Group);
        Assert.Empty(module.Exclude);
        Assert.Empty(module.Environment);
        Assert.Empty(module.RemoveKeys);
        Assert.Null(module.Version);
    }

    [Fact]
    public void AclFile_items_carry_their_full_path_and_Root()
    {
        using var p = new SdkProject("""<ItemGroup><AclFile Include="acl/site.acl" /><AclFile Include="acl/opt.acl" Root="/opt" /></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("acl"));
        File.WriteAllText(p.Dir.Combine("acl", "site.acl"), "");
        File.WriteAllText(p.Dir.Combine("acl", "opt.acl"), "");
        var acls = Items(p, "AclFile").Select(i => ItemTranslation.ToAclFileRequest(i, p.ProjectPath)).ToList();
        Assert.Equal(new AclFileRequest(p.Dir.Combine("acl", "site.acl"), "/"), acls[0]);
        Assert.Equal(new AclFileRequest(p.Dir.Combine("acl", "opt.acl"), "/opt"), acls[1]);
    }

    [Theory]
    [InlineData("TargetPath=\"relative\"", Codes.InvalidTargetPath)]
    [InlineData("TargetPath=\"/opt/../etc\"", Codes.InvalidTargetPath)]
    [InlineData("Environment=\"NOEQUALS\"", Codes.InvalidEnvironment)]
    [InlineData("Environment=\"1BAD=x\"", Codes.InvalidEnvironment)]
    public void Bad_metadata_is_a_coded_error_on_the_project_file(string metadata, string code)
    {
        using var p = new SdkProject($"""<ItemGroup><Module Include="m" {metadata} /></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("m"));
        var ex = Assert.Throws<ContainerSdkException>(() => BuildContainerLayers.ToLayerRequests(Array.Empty<ITaskItem>(), Items(p, "Module"), p.ProjectPath));
        Assert.Equal(code, ex.Code);
        Assert.Equal(p.ProjectPath, ex.File);
        Assert.Contains("'m'", ex.Message);
    }

    [Fact]
    public void A_relative_Remove_entry_is_CSDK1013()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="m" RemovePaths="etc/motd" /></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("m"));
        var ex = Assert.Throws<ContainerSdkException>(() => BuildContainerLayers.ToLayerRequests(Array.Empty<ITaskItem>(), Items(p, "Module"), p.ProjectPath));
        Assert.Equal(Codes.InvalidRemove, ex.Code);
        Assert.Contains("etc/motd", ex.Message);
    }

    [Fact]
    public void The_old_names_Exclude_and_Remove_are_still_read_as_metadata_elements()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="m"><Exclude>*.la</Exclude><Remove>/opt/old</Remove></Module></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("m"));
        var module = Assert.Single(BuildContainerLayers.ToLayerRequests(Array.Empty<ITaskItem>(), Items(p, "Module"), p.ProjectPath));
        Assert.Equal(new[] { "*.la" }, module.Exclude);
        Assert.Equal(new[] { "opt/old" }, module.RemoveKeys);
    }

    [Fact]
    public void The_new_names_win_over_the_old_ones()
    {
        using var p = new SdkProject("""<ItemGroup><Module Include="m" ExcludeFiles="*.a"><Exclude>*.la</Exclude></Module></ItemGroup>""");
        Directory.CreateDirectory(p.Dir.Combine("m"));
        var module = Assert.Single(BuildContainerLayers.ToLayerRequests(Array.Empty<ITaskItem>(), Items(p, "Module"), p.ProjectPath));
        Assert.Equal(new[] { "*.a" }, module.Exclude);
    }

    [Fact]
    public void Image_settings_come_from_the_properties_and_items()
    {
        using var p = new SdkProject("""
            <ItemGroup>
              <ContainerEnvironmentVariable Include="OMPI_MCA_btl" Value="^openib" />
              <ContainerEnvironmentVariable Include="LIST" Value="a;b" />
              <ContainerLabel Include="org.opencontainers.image.vendor" Value="HPC team" />
              <ContainerPort Include="8080" />
              <ContainerPort Include="53" Type="udp" />
              <ContainerPort Include="9000/udp" />
              <ContainerEntrypoint Include="/bin/sh" />
              <ContainerEntrypoint Include="-c" />
            </ItemGroup>
            """);
        var task = new WriteContainerImage
        {
            Settings = new[]
            {
                Setting("Repository", "site"), Setting("Tags", "2026.11;latest;2026.11"), Setting("User", "1000"),
                Setting("WorkingDirectory", "/scratch"), Setting("SourceDateEpoch", "1700000000"), Setting("Platform", "linux/arm64/v8"),
            }
            .Concat(Tagged(Items(p, "ContainerEnvironmentVariable"), "EnvironmentVariable"))
            .Concat(Tagged(Items(p, "ContainerLabel"), "Label"))
            .Concat(Tagged(Items(p, "ContainerPort"), "Port"))
            .Concat(Tagged(Items(p, "ContainerEntrypoint"), "Entrypoint"))
            .Concat(Tagged(Items(p, "ContainerDefaultArgs"), "DefaultArgs"))
            .ToArray(),
        };
        var settings = task.ToSettings(p.ProjectPath);
        Assert.Equal("site", settings.Repository);
        Assert.Equal(new[] { "2026.11", "latest" }, settings.Tags);
        Assert.Equal("1000", settings.User);
        Assert.Equal("/scratch", settings.WorkingDirectory);
        Assert.Equal(new KeyValuePair<string, string>[] { new("OMPI_MCA_btl", "^openib"), new("LIST", "a;b") }, settings.Environment);
        Assert.Equal(new KeyValuePair<string, string>[] { new("org.opencontainers.image.vendor", "HPC team") }, settings.Labels);
        Assert.Equal(new[] { "8080/tcp", "53/udp", "9000/udp" }, settings.Ports);
        Assert.Equal(new[] { "/bin/sh", "-c" }, settings.Entrypoint);
        Assert.Null(settings.Cmd); // none given: the base image's Cmd stays
        Assert.Equal(1700000000, settings.Epoch);
        Assert.Equal(new Platform("linux", "arm64", "v8"), settings.Platform);
    }

    /// <summary>A property's _ContainerImageSetting item, as ContainerSdk.targets makes it.</summary>
    private static ITaskItem Setting(string name, string value) =>
        new TaskItem(name, new Dictionary<string, string> { ["ContainerImageSetting"] = name, ["Value"] = value });

    /// <summary>A list's _ContainerImageSetting items: the project's own items, tagged with the setting.</summary>
    private static IEnumerable<ITaskItem> Tagged(IEnumerable<ITaskItem> items, string setting) =>
        items.Select(item => { var copy = new TaskItem(item); copy.SetMetadata("ContainerImageSetting", setting); return (ITaskItem)copy; });

    // internal: its parameters name an engine type, which is internal (xunit runs internal test methods too).
    [Theory]
    [InlineData("gzip", LayerCompression.Gzip)]
    [InlineData("ZSTD", LayerCompression.Zstd)]
    [InlineData("none", LayerCompression.None)]
    internal void Compression_values(string value, LayerCompression expected)
        => Assert.Equal(expected, ItemTranslation.ParseCompression(value, "p"));

    /// <summary>The layers step's state file, written and read back as the image and publish steps read it.</summary>
    private static IReadOnlyList<BuiltLayer> RoundTrip(params BuiltLayer[] layers) => LayerState.FromText(LayerState.ToText(layers));

    [Fact]
    public void Layer_state_round_trips_every_field_between_steps()
    {
        var layer = new BuiltLayer
        {
            BlobPath = "/work/obj/container/blobs/sha256/ab",
            Descriptor = new Descriptor(MediaTypes.LayerZstd, Digest.Compute(new byte[] { 1 }), 1234)
            {
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["org.example.module"] = "openmpi;4.1.6" },
            },
            DiffId = Digest.Compute(new byte[] { 2 }),
            ItemSpec = "modules/openmpi",
            Kind = LayerKind.Module,
            Environment = new[] { "PATH=/opt/bin:$PATH", "SEP=a;b", "EMPTY=" },
            Version = "4.1.6",
            License = null,
            AllowedRegistries = new[] { "registry.example.org/hpc", "127.0.0.1:5000" },
            CreatedBy = "ContainerSdk Module modules/openmpi -> /opt/openmpi",
        };

        var back = Assert.Single(RoundTrip(layer));

        Assert.Equal(layer.BlobPath, back.BlobPath);
        Assert.Equal(layer.Descriptor.MediaType, back.Descriptor.MediaType);
        Assert.Equal(layer.Descriptor.Digest, back.Descriptor.Digest);
        Assert.Equal(layer.Descriptor.Size, back.Descriptor.Size);
        Assert.Equal(layer.Descriptor.Annotations, back.Descriptor.Annotations);
        Assert.Equal(layer.DiffId, back.DiffId);
        Assert.Equal(layer.ItemSpec, back.ItemSpec);
        Assert.Equal(layer.Kind, back.Kind);
        Assert.Equal(layer.Environment, back.Environment);
        Assert.Equal(layer.Version, back.Version);
        Assert.Null(back.License);
        Assert.Equal(layer.AllowedRegistries, back.AllowedRegistries);
        Assert.Equal(layer.CreatedBy, back.CreatedBy);
    }

    [Fact]
    public void A_base_image_layer_carries_where_it_came_from_and_its_layers_share_one_origin()
    {
        var layer = new BuiltLayer
        {
            BlobPath = "/work/base/blobs/sha256/cd",
            Descriptor = new Descriptor(MediaTypes.LayerGzip, Digest.Compute(new byte[] { 3 }), 99),
            DiffId = Digest.Compute(new byte[] { 4 }),
            ItemSpec = "images/base",
            Kind = LayerKind.Base,
            CreatedBy = "umoci insert",
            FromImage = new ImageOrigin("/work/obj/container/images/ef.json", Digest.Compute(new byte[] { 5 }).ToString(), "debian:12"),
        };
        var back = RoundTrip(layer, layer with { BlobPath = "/work/base/blobs/sha256/ce" });
        Assert.Equal(layer.FromImage, back[0].FromImage);
        Assert.Same(back[0].FromImage, back[1].FromImage); // its config is parsed once for both

        var module = Assert.Single(RoundTrip(layer with { FromImage = null, Kind = LayerKind.Module }));
        Assert.Null(module.FromImage);
    }

    /// <summary>The state written field by field is the text the reflection serializer writes for its records (escapes included).</summary>
    [Fact]
    public void Layer_state_json_is_the_reflection_serializers_text()
    {
        var moduleFile = new ContainerSdk.Core.Modules.InstalledModuleFile
        {
            SourcePath = "/site/modules/gcc/13.2.lua",
            ImagePath = "/opt/modulefiles/gcc/13.2.lua",
            Text = "prepend_path(\"PATH\", \"/opt/gcc+13/bin\") -- <é> & 'x'\n",
            FromPrefix = "/apps/gcc",
            ToPrefix = "/opt/gcc",
            ModulePath = "/opt/modulefiles",
            SitePackage = new ContainerSdk.Core.Modules.LmodSitePackage("/site/lmod/SitePackage.lua", "function f() return \"<é>\" end\n"),
        };
        var layer = new BuiltLayer
        {
            BlobPath = "/work/obj/container/blobs/sha256/ab",
            Descriptor = new Descriptor(MediaTypes.LayerGzip, Digest.Compute(new byte[] { 1 }), 1)
            {
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["b"] = "<+>", ["a"] = "é\"" },
            },
            DiffId = Digest.Compute(new byte[] { 2 }),
            ItemSpec = "modules/gcc",
            Kind = LayerKind.Module,
            Environment = new[] { "PATH=/opt/gcc+13/bin:$PATH", "Q='<&>'", "U=é" },
            ModuleFile = moduleFile,
            CreatedBy = "c",
        };

        string text = LayerState.ToText(new[] { layer });

        var options = new System.Text.Json.JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
        var reflected = System.Text.Json.JsonSerializer.Deserialize<LayerStateEntry[]>(text, options)!;
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(reflected, options), text);
        Assert.Contains("\\u002B", text); // the default encoder's escapes
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(moduleFile), System.Text.Json.JsonSerializer.Serialize(reflected[0].ModuleFile));
        var back = Assert.Single(LayerState.FromText(text));
        Assert.Equal(moduleFile, back.ModuleFile);
        Assert.Equal(layer.Environment, back.Environment);
        Assert.Equal(layer.Descriptor.Annotations, back.Descriptor.Annotations);

        var noPrefix = moduleFile with { FromPrefix = null };
        string text2 = LayerState.ToText(new[] { layer with { ModuleFile = noPrefix, Environment = Array.Empty<string>() } });
        Assert.Contains("\"FromPrefix\":null", text2);
        Assert.Contains("\"Environment\":[]", text2);
        Assert.Equal(noPrefix, Assert.Single(LayerState.FromText(text2)).ModuleFile);

        var noSitePackage = moduleFile with { SitePackage = null };
        string text3 = LayerState.ToText(new[] { layer with { ModuleFile = noSitePackage } });
        Assert.Contains("\"SitePackage\":null", text3);
        Assert.Equal(noSitePackage, Assert.Single(LayerState.FromText(text3)).ModuleFile);
    }
}
