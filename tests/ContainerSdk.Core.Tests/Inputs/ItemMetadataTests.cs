using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Tests.Inputs;

public class ItemMetadataTests
{
    [Theory]
    [InlineData("TargetDir", "TargetPath")]
    [InlineData("Licence", "License")]
    [InlineData("Owners", "Owner")]
    [InlineData("ExcludeFile", "ExcludeFiles")]
    [InlineData("Enviroment", "Environment")]
    public void A_slip_names_the_closest_known_name(string written, string meant) =>
        Assert.Equal(meant, ItemMetadata.Closest(written, ItemMetadata.Known("Module")));

    [Fact]
    public void A_name_far_from_every_known_one_suggests_none() =>
        Assert.Null(ItemMetadata.Closest("Colour", ItemMetadata.Known("Module")));

    [Fact]
    public void Known_and_well_known_names_in_any_case_give_no_warning() =>
        Assert.Empty(ItemMetadata.Check("Module", "m", new[] { "targetpath", "ExcludeFiles", "FullPath", "DefiningProjectFullPath", "Identity" }));

    [Fact]
    public void An_unknown_name_on_a_module_without_TargetPath_says_where_the_module_went()
    {
        var (code, message) = Assert.Single(ItemMetadata.Check("Module", "modules/data-1.0", new[] { "TargetDir" }));
        Assert.Equal(Codes.UnknownItemMetadata, code);
        Assert.Contains("TargetDir", message);
        Assert.Contains("did you mean TargetPath?", message);
        Assert.Contains("lands at '/'", message);
    }

    [Fact]
    public void With_a_TargetPath_the_warning_does_not_speak_of_the_root()
    {
        var (_, message) = Assert.Single(ItemMetadata.Check("Module", "m", new[] { "TargetPath", "Licence" }));
        Assert.Contains("did you mean License?", message);
        Assert.DoesNotContain("lands at", message);
    }

    [Fact]
    public void AclFile_knows_Root_only()
    {
        var (code, message) = Assert.Single(ItemMetadata.Check("AclFile", "site.acl", new[] { "Roots", "Root" }));
        Assert.Equal(Codes.UnknownItemMetadata, code);
        Assert.Contains("did you mean Root?", message);
    }

    [Theory]
    [InlineData("Exclude", "ExcludeFiles")]
    [InlineData("Remove", "RemovePaths")]
    public void An_old_name_is_a_warning_naming_the_new_one(string old, string renamed)
    {
        var (code, message) = Assert.Single(ItemMetadata.Check("Module", "m", new[] { old }));
        Assert.Equal(Codes.RenamedItemMetadata, code);
        Assert.Contains(renamed, message);
    }
}
