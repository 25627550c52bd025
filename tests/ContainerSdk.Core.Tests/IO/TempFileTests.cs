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
    public void A_large_old_output_loses_its_name_at_once_and_its_blocks_when_the_background_close_runs()
    {
        using var dir = new TempDir("tempfile");
        var target = dir.Combine("site.tar.gz");
        using (var old = File.Create(target)) old.SetLength(32L << 20);
        var link = dir.Combine("kept");
        Assert.True(HardLink.TryCreate(target, link));
        Assert.Equal(2UL, Links(link));

        using (var temp = new TempFile(target))
        {
            temp.WriteAllText("new");
            temp.Commit();
        }

        // The temporary name the old content went to is unlinked before Commit returns (the listing is clean at once);
        // only the freeing of the blocks, which the link here keeps anyway, is left to the thread pool's close.
        Assert.Equal(1UL, Links(link));
        Assert.Equal(new[] { "kept", "site.tar.gz" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(32L << 20, new FileInfo(link).Length);

        static ulong Links(string path) => NativeStat.LStat(path, out var st, out _) == 0 ? st.st_nlink : 0;
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
