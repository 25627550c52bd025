// Linux-only by nature: these trees feed GNU tar, umoci and runc.
#pragma warning disable CA1416

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>Small input trees written by the tests: a runnable busybox rootfs, modules, tarballs.</summary>
public static class Trees
{
    /// <summary>Users and groups only the image has (the build machine has none of these ids or names).</summary>
    public const string Passwd = """
        root:x:0:0:root:/root:/bin/sh
        alice:x:2001:2001:Alice:/home/alice:/bin/sh
        bob:x:2002:2002:Bob:/home/bob:/bin/sh

        """;

    public const string Group = """
        root:x:0:
        alice:x:2001:
        bob:x:2002:
        licensed:x:3001:alice

        """;

    public const int AliceUid = 2001, BobUid = 2002, LicensedGid = 3001;

    /// <summary>
    /// A rootfs a container can run: Debian's static busybox with the applets the tests call, passwd and group with
    /// image-only users, /tmp 1777 and an /opt whose unusual mode (0711) must survive modules landing below it.
    /// </summary>
    public static void BusyboxRootfs(string root)
    {
        var busybox = Tools.Require("busybox");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.Copy(busybox, Path.Combine(root, "bin", "busybox"));
        File.SetUnixFileMode(Path.Combine(root, "bin", "busybox"), Mode("755"));
        foreach (var applet in new[] { "sh", "env", "echo", "cat", "ls", "id", "stat", "true" })
            File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
        TextRootfs(root);
    }

    /// <summary>The etc/tmp/opt part of a rootfs, without binaries.</summary>
    public static void TextRootfs(string root)
    {
        WriteFile(Path.Combine(root, "etc", "passwd"), Passwd, "644");
        WriteFile(Path.Combine(root, "etc", "group"), Group, "644");
        WriteFile(Path.Combine(root, "etc", "os-release"), "NAME=\"ContainerSdk e2e\"\nID=csdk-e2e\n", "644");
        MakeDirectory(Path.Combine(root, "tmp"), "1777");
        MakeDirectory(Path.Combine(root, "opt"), "711");
    }

    public static void WriteFile(string path, string text, string mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, Mode(mode));
    }

    /// <summary>Creates the directory and sets its mode with chmod semantics (no umask), special bits included.</summary>
    public static void MakeDirectory(string path, string mode)
    {
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, Mode(mode));
    }

    public static void Chmod(string path, string mode) => File.SetUnixFileMode(path, Mode(mode));

    public static void HardLink(string existing, string link)
        => Tools.Run("ln", existing, link).EnsureSuccess($"ln {existing} {link}");

    /// <summary>
    /// A gzip tarball of <paramref name="source"/>, written by GNU tar the way a vendor ships one: entries under
    /// "./", owners recorded as numeric ids only (no names a build machine could map), one mtime.
    /// </summary>
    public static void Tarball(string source, string tarball, int uid, int gid)
    {
        var tar = Tools.Require("tar");
        Tools.Require("gzip");
        Tools.Run(tar, new[]
        {
            "--sort=name", "--mtime=@0", $"--owner={uid}", $"--group={gid}", "--numeric-owner",
            "--use-compress-program=gzip -n", "-C", source, "-cf", tarball, ".",
        }).EnsureSuccess($"tar -cf {tarball}");
    }

    /// <summary>A mode written as chmod takes it ("1777").</summary>
    public static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);
}
