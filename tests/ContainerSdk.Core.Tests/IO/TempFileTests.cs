using ContainerSdk.Core.IO;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.IO;

/// <summary>Committing a temporary file over an existing output: the target is whole at every instant, and nothing is left behind.</summary>
public class TempFileTests
{
    [Fact]
    public void Commit_over_an_existing_target_leaves_the_new_content_and_no_temporary_file()
    {
        using var dir = new TempDir("tempfile");
        var target = dir.Combine("out.tar.gz");
        File.WriteAllText(target, "old");
        // A reader of the old output and a hard link to it keep the old bytes, as with a rename over it.
        var link = dir.Combine("kept");
        Assert.True(HardLink.TryCreate(target, link));
        using var reader = File.OpenRead(target);

        using (var temp = new TempFile(target))
        {
            using (var stream = temp.Create()) stream.Write("new"u8);
            temp.Commit();
        }

        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal("old", File.ReadAllText(link));
        Assert.Equal("old", new StreamReader(reader).ReadToEnd());
        Assert.Equal(new[] { "kept", "out.tar.gz" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Swapping_names_exchanges_two_files_atomically_on_Linux()
    {
        using var dir = new TempDir("tempfile");
        var (a, b) = (dir.Combine("a"), dir.Combine("b"));
        File.WriteAllText(a, "A");
        File.WriteAllText(b, "B");
        Assert.True(RenameExchange.TrySwap(a, b)); // ext4, xfs, btrfs and tmpfs all exchange names
        Assert.Equal(("B", "A"), (File.ReadAllText(a), File.ReadAllText(b)));
        Assert.False(RenameExchange.TrySwap(a, dir.Combine("missing")));
    }

    [Fact]
    public void Commit_to_a_new_name_and_an_uncommitted_file_behave_as_before()
    {
        using var dir = new TempDir("tempfile");
        var target = dir.Combine("new");
        using (var temp = new TempFile(target))
        {
            File.WriteAllText(temp.Path, "1");
            temp.Commit();
        }
        using (var abandoned = new TempFile(dir.Combine("abandoned"))) File.WriteAllText(abandoned.Path, "2");
        Assert.Equal("1", File.ReadAllText(target));
        Assert.Equal(new[] { "new" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
