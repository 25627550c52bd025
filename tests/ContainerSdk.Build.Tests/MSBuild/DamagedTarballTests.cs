using System.Formats.Tar;
using System.IO.Compression;

namespace ContainerSdk.Build.Tests.MSBuild;

/// <summary>
/// A damaged BaseLayer tarball is reported at the BaseLayer item (absolute project path and line), where an IDE can
/// jump; a tarball that ends at an entry's boundary without tar's end blocks is a warning there.
/// </summary>
[Collection(InProcessMSBuild.Name)]
public sealed class DamagedTarballTests
{
    /// <summary>A tar of one 1000-byte file, then the two end-of-archive blocks: 512 header + 1024 data + 1024 end.</summary>
    private static byte[] Tar()
    {
        using var memory = new MemoryStream();
        using (var writer = new TarWriter(memory, TarEntryFormat.Ustar, leaveOpen: true))
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "etc/data") { DataStream = new MemoryStream(new byte[1000]) });
        return memory.ToArray();
    }

    private static SdkProject Project(string tarball, byte[] bytes)
    {
        var p = new SdkProject($"""
            <ItemGroup>
              <BaseLayer Include="{tarball}" />
            </ItemGroup>
            """);
        File.WriteAllBytes(p.Dir.Combine(tarball), bytes);
        return p;
    }

    [Theory]
    [InlineData("CSDK1004", false)]
    [InlineData("CSDK1005", true)]
    public void A_cut_tarball_is_an_error_at_the_BaseLayer_line(string code, bool gzip)
    {
        byte[] tar = Tar();
        byte[] bytes;
        if (gzip)
        {
            using var memory = new MemoryStream();
            using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(tar);
            bytes = memory.ToArray()[..(int)(memory.Length / 2)];
        }
        else bytes = tar[..700];
        using var p = Project(gzip ? "trunc.tar.gz" : "trunc.tar", bytes);

        var outcome = p.Build("Build");

        Assert.False(outcome.Succeeded);
        var error = Assert.Single(outcome.Log.Errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(p.ProjectPath, error.File);
        Assert.Equal(p.LineOf("<BaseLayer"), error.LineNumber);
        Assert.Contains("trunc.tar", error.Message);
    }

    [Fact]
    public void A_tarball_cut_at_an_entry_boundary_is_CSDK1072_at_the_BaseLayer_line_on_every_build()
    {
        using var p = Project("cut.tar", Tar()[..1536]);
        for (int build = 0; build < 2; build++)
        {
            var outcome = p.Build("Build");
            Assert.True(outcome.Succeeded, outcome.ToString());
            var warning = Assert.Single(outcome.Log.Warnings);
            Assert.Equal("CSDK1072", warning.Code);
            Assert.Equal(p.ProjectPath, warning.File);
            Assert.Equal(p.LineOf("<BaseLayer"), warning.LineNumber);
            Assert.Contains("cut.tar", warning.Message);
        }
    }

    [Fact]
    public void A_whole_tarball_gives_no_warning()
    {
        using var p = Project("whole.tar", Tar());
        var outcome = p.Build("Build");
        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(outcome.Log.Warnings);
    }
}
