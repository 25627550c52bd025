using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Oci;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Inputs;

/// <summary>What validation hands the engine: each value checked once and in the form the steps use, nothing left to parse.</summary>
public class LayerRequestTests
{
    [Fact]
    public void A_module_is_validated_into_keys_ids_and_defaults()
    {
        using var dir = new TempDir("lreq");
        var request = LayerInputs.Validate(new LayerInput
        {
            ItemSpec = "m", Kind = LayerKind.Module, SourcePath = dir.Path, TargetPath = " /opt/suite/ ", Owner = "1000", Group = "hpc",
            Remove = new[] { " /etc/motd ", "", "/opt/old/" }, AllowedRegistries = new[] { "registry.example.org" }, ModulePrefix = " /apps/suite ",
        });
        Assert.Equal("/opt/suite/", request.TargetPath);
        Assert.Equal("opt/suite", request.TargetKey);
        Assert.Equal(new[] { "etc/motd", "opt/old" }, request.RemoveKeys);
        Assert.Equal((1000L, (long?)null), (request.OwnerId!.Value, request.GroupId));
        Assert.Equal("hpc", request.Group);
        Assert.Equal("/apps/suite", request.ModulePrefix);
        Assert.Equal(new[] { "registry.example.org" }, request.AllowedRegistries);
        Assert.False(request.IsAddress);
    }

    [Fact]
    public void The_TargetPath_default_is_the_root_for_layers_and_AclFiles()
    {
        using var dir = new TempDir("lreq");
        var request = LayerInputs.Validate(new LayerInput { ItemSpec = "b", Kind = LayerKind.Base, SourcePath = dir.Path, TargetPath = "  " });
        Assert.Equal((LayerInputs.DefaultTargetPath, ""), (request.TargetPath, request.TargetKey));

        string acl = Tree.File(dir.Path, "site.acl", "");
        Assert.Equal(new AclFileRequest(acl, LayerInputs.DefaultTargetPath), LayerInputs.Validate(new AclFileInput(acl)));
    }

    [Fact]
    public void An_address_is_kept_and_known_as_one()
    {
        var request = LayerInputs.Validate(new LayerInput { ItemSpec = "docker://registry.example.org/base:1", Kind = LayerKind.Base, SourcePath = "docker://registry.example.org/base:1" });
        Assert.True(request.IsAddress);
        Assert.Equal("docker", ImageAddress.SchemeOf(request.SourcePath));
        Assert.Null(ImageAddress.SchemeOf("/srv/docker://x"));
    }

    [Fact]
    public void An_error_names_the_item_and_a_missing_AclFile_is_named_as_written()
    {
        var e = Assert.Throws<ContainerSdkException>(() =>
            LayerInputs.Validate(new LayerInput { ItemSpec = "modules/x", Kind = LayerKind.Module, SourcePath = "/nonexistent/x" }));
        Assert.Equal((Codes.InputNotFound, "Module", "modules/x"), (e.Code, e.ItemType, e.ItemSpec));

        var acl = Assert.Throws<ContainerSdkException>(() => LayerInputs.Validate(new AclFileInput("/nonexistent/site.acl") { ItemSpec = "acl/site.acl" }));
        Assert.Equal("AclFile 'acl/site.acl' does not exist: no file at '/nonexistent/site.acl'.", acl.Message);
    }

    [Fact]
    public void Image_settings_check_their_name_as_they_are_made_and_hold_a_parsed_platform()
    {
        var settings = new ImageSettings { Repository = " site ", Tags = new[] { " 1.0", "", "1.0", "latest" }, Platform = Properties.Platform("linux/arm64/v8") };
        Assert.Equal("site", settings.Repository);
        Assert.Equal(new[] { "1.0", "latest" }, settings.Tags);
        Assert.Equal(new Platform("linux", "arm64", "v8"), settings.Platform);
        Assert.Equal(new Platform("linux", "amd64"), new ImageSettings { Repository = "site" }.Platform);
        Assert.Equal(new[] { Properties.DefaultTag }, new ImageSettings { Repository = "site" }.Tags);

        Assert.Equal(Codes.InvalidRepository, Assert.Throws<ContainerSdkException>(() => new ImageSettings { Repository = "Bad Name" }).Code);
        Assert.Equal(Codes.InvalidTag, Assert.Throws<ContainerSdkException>(() => new ImageSettings { Repository = "site", Tags = new[] { ".x" } }).Code);
    }

    [Fact]
    public void The_bundle_ACL_dump_defaults_to_the_bundle_path_with_its_last_extension_acl()
    {
        Assert.Equal("/out/site.tar.acl", ContainerEngine.Bundle("/out/site.tar.gz", null).AclPath);
        Assert.Equal("/out/other.acl", ContainerEngine.Bundle("/out/site.tar.gz", "/out/other.acl").AclPath);
    }

    [Fact]
    public void A_base_image_origin_parses_its_config_once_and_is_equal_by_what_names_it()
    {
        using var dir = new TempDir("lreq");
        string path = Tree.File(dir.Path, "config.json", """{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var origin = new ImageOrigin(path, null, "base");
        var config = origin.Config;
        File.Delete(path);
        Assert.Same(config, origin.Config);
        Assert.Equal(origin, new ImageOrigin(path, null, "base") { Config = config });

        var gone = new ImageOrigin(path, null, "base");
        Assert.Equal(Codes.InvalidBaseImage, Assert.Throws<ContainerSdkException>(() => gone.Config).Code);
    }
}
