using System.Security.Cryptography;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.IO;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Bundle;

/// <summary>
/// The SquashFS image is a build output like the bundle: left as it is when nothing changed, rewritten when a module did,
/// never half-written where a later build finds it, the same bytes from two clean builds, and not written at all when
/// ContainerSquashfsAclPolicy=error meets an ACL it cannot carry.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SquashfsIncrementalTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void A_no_op_build_leaves_the_image_and_a_changed_module_rewrites_it()
    {
        using var site = SquashfsSite.Create("sqinc");
        Assert.True(site.Build(cancellation: Cancel).Squashfs!.Written);
        var first = FileIdentity.StampOf(site.Image);
        var list = FileIdentity.StampOf(site.NarrowedList);

        site.Run.Log.Warnings.Clear();
        var again = site.Build(cancellation: Cancel);
        Assert.False(again.Squashfs!.Written);
        var warning = Assert.Single(site.Run.Log.Warnings); // the image still narrows them: said again
        Assert.Equal(Codes.SquashfsAclNarrowed, warning.Code);
        Assert.Contains(site.NarrowedList, warning.Message);
        Assert.Equal(3, again.Squashfs.NarrowedPaths);
        Assert.Equal(site.NarrowedList, again.Squashfs.NarrowedListPath);
        Assert.Equal(first, FileIdentity.StampOf(site.Image)); // same inode, same ctime
        Assert.Equal(list, FileIdentity.StampOf(site.NarrowedList));

        Tree.File(site.PlainModule, "lib/new.so", "new\n", "644");
        var changed = site.Build(cancellation: Cancel);
        Assert.True(changed.Squashfs!.Written);
        Assert.NotEqual(first, FileIdentity.StampOf(site.Image));
        Assert.True(SquashfsListing.Unsquashfs(site.Image).ContainsKey("opt/plain/lib/new.so"));

        // The narrowed paths gone (only the suite's exact ACLs left): the list this build wrote earlier goes too.
        File.WriteAllText(site.AclFile, SquashfsSite.SuiteAcls);
        var exact = site.Build(cancellation: Cancel);
        Assert.True(exact.Squashfs!.Written);
        Assert.Equal(0, exact.Squashfs.NarrowedPaths);
        Assert.Null(exact.Squashfs.NarrowedListPath);
        Assert.False(File.Exists(site.NarrowedList));
        Assert.True(exact.CarriesNamedAcls); // group:licensed is a named entry all the same
    }

    [Fact]
    public void A_build_cancelled_while_writing_leaves_the_old_image_or_none_and_no_temporary_file()
    {
        using var site = SquashfsSite.Create("sqkill");
        var output = Path.GetDirectoryName(site.Image)!;

        // No image yet: a cancelled build leaves none.
        Assert.ThrowsAny<OperationCanceledException>(() => BuildCancelledAtTheImage(site));
        Assert.False(File.Exists(site.Image));
        Assert.DoesNotContain(Directory.EnumerateFiles(output), f => TempFiles.IsTemp(Path.GetFileName(f)));

        site.Build(cancellation: Cancel);
        var old = FileIdentity.StampOf(site.Image);
        var oldBytes = SHA256.HashData(File.ReadAllBytes(site.Image));
        Tree.File(site.PlainModule, "lib/new.so", "new\n", "644");
        Assert.ThrowsAny<OperationCanceledException>(() => BuildCancelledAtTheImage(site));
        Assert.Equal(old, FileIdentity.StampOf(site.Image));
        Assert.Equal(oldBytes, SHA256.HashData(File.ReadAllBytes(site.Image)));
        Assert.DoesNotContain(Directory.EnumerateFiles(output), f => TempFiles.IsTemp(Path.GetFileName(f)));

        // The next build does not trust the old image for the new inputs; a killed build's leftover is swept.
        var leftover = Path.Combine(output, TempFiles.Prefix + Path.GetFileName(site.Image) + "-0123456789abcdef");
        File.WriteAllText(leftover, "half an image");
        var next = site.Build(cancellation: Cancel);
        Assert.True(next.Squashfs!.Written);
        Assert.True(SquashfsListing.Unsquashfs(site.Image).ContainsKey("opt/plain/lib/new.so"));
        Assert.False(File.Exists(leftover));
    }

    /// <summary>Cancels the build when the bundle is done, so that the image writer, already started, meets it.</summary>
    private static void BuildCancelledAtTheImage(SquashfsSite site)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        site.Build(cancellation: cancel.Token, log: new CancellingLog(site.Run.Log, cancel, "Bundle "));
    }

    [Fact]
    public void Policy_error_fails_at_the_module_with_CSDK7011_and_leaves_no_image()
    {
        using var site = SquashfsSite.Create("sqerr");
        site.Build(cancellation: Cancel);
        Assert.True(File.Exists(site.Image)); // narrowed, under the default policy
        var e = Assert.Throws<ContainerSdkException>(() => site.Build(SquashfsAclPolicy.Error, cancellation: Cancel));
        Assert.Equal(Codes.SquashfsAclNotStorable, e.Code);
        Assert.Equal(("Module", "chemphys"), (e.ItemType, e.ItemSpec)); // /opt/chemphys/results is the first narrowed path
        Assert.Contains("/srv/report", File.ReadAllText(site.NarrowedList));
        Assert.False(File.Exists(site.Image));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.GetDirectoryName(site.Image)!), f => TempFiles.IsTemp(Path.GetFileName(f)));

        // Only exact ACLs: policy error builds the image.
        File.WriteAllText(site.AclFile, SquashfsSite.SuiteAcls);
        var built = site.Build(SquashfsAclPolicy.Error, cancellation: Cancel);
        Assert.True(built.Squashfs!.Written);
        Assert.False(File.Exists(site.NarrowedList));
    }

    [Fact]
    public void Two_clean_builds_give_the_same_bytes()
    {
        using var a = SquashfsSite.Create("sqrepa");
        using var b = SquashfsSite.Create("sqrepb");
        a.Build(cancellation: Cancel);
        b.Build(cancellation: Cancel);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(a.Image)), SHA256.HashData(File.ReadAllBytes(b.Image)));
        Assert.Equal(File.ReadAllText(a.NarrowedList), File.ReadAllText(b.NarrowedList));
        // Every time in the image is the epoch.
        var stats = Tools.Run(Tools.Require("unsquashfs"), "-lln", "-d", "R", a.Image).EnsureSuccess("unsquashfs -lln").StdOut;
        var when = DateTimeOffset.FromUnixTimeSeconds(SquashfsSite.Epoch).ToLocalTime().ToString("yyyy-MM-dd HH:mm");
        Assert.All(stats.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(" R", StringComparison.Ordinal)), l => Assert.Contains(when, l));
    }

    private sealed class CancellingLog(IBuildLog inner, CancellationTokenSource cancel, string prefix) : IBuildLog
    {
        public void Info(string message)
        {
            inner.Info(message);
            if (message.StartsWith(prefix, StringComparison.Ordinal)) cancel.Cancel();
        }

        public void Detail(string message) => inner.Detail(message);
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => inner.Warning(code, message, file, line, column);
    }
}
