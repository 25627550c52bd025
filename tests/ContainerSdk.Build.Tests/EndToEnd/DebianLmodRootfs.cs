using ContainerSdk.Tests;
using ContainerSdk.Tests.EndToEnd;

[assembly: AssemblyFixture(typeof(DebianLmodRootfs))]

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// A Debian root filesystem with Lmod (<c>mmdebstrap --variant=minbase --include=lmod bookworm</c>), as a tarball for a
/// <c>BaseLayer</c>. Made lazily, at most once per test run, and kept in the system's temp folder for a week so that
/// later runs on the same machine skip the few minutes of downloading from Debian's mirror (a fresh CI machine makes
/// it once). Written to a temporary name and renamed, so that a killed run never leaves a half tarball to trust.
/// </summary>
public sealed class DebianLmodRootfs
{
    public const string Suite = "bookworm";
    private static readonly TimeSpan KeepFor = TimeSpan.FromDays(7);

    private readonly Lazy<Task<string>> tarball = new(() => Task.Run(Make));

    /// <summary>The rootfs tarball's path; makes it on first call (skips, or fails under CI, without mmdebstrap or root).</summary>
    public Task<string> GetAsync()
    {
        Tools.Require("mmdebstrap");
        Tools.RequireRoot("mmdebstrap makes the root filesystem as root");
        return tarball.Value;
    }

    private static string Make()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"csdk-debian-{Suite}-minbase-lmod");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "rootfs.tar");
        if (File.Exists(path) && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < KeepFor) return path;

        var partial = Path.Combine(folder, $"rootfs.{Guid.NewGuid():N}.partial.tar");
        try
        {
            Tools.Run(Tools.Require("mmdebstrap"), new[] { "--variant=minbase", "--include=lmod", "--quiet", Suite, partial },
                timeout: TimeSpan.FromMinutes(15)).EnsureSuccess($"mmdebstrap --variant=minbase --include=lmod {Suite}");
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
        return path;
    }
}
