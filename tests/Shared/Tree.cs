// Linux-only by nature: these trees feed GNU tar, umoci, runc and the engine's lstat walk.
#pragma warning disable CA1416

namespace ContainerSdk.Tests;

/// <summary>Small input trees written by the tests: files and folders with chmod modes, rootfs skeletons, tarballs.</summary>
public static class Tree
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

    /// <summary>Writes <paramref name="relative"/> below <paramref name="root"/>, parents included; a mode is octal as chmod takes it ("4755").</summary>
    public static string File(string root, string relative, string content, string? mode = null) =>
        FileAt(Path.Combine(root, relative), content, mode);

    /// <summary>Writes the file at a full path, parents included.</summary>
    public static string FileAt(string path, string content, string? mode = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        if (mode is not null) Chmod(path, mode);
        return path;
    }

    /// <summary>Creates the folder and sets its mode with chmod semantics (no umask), special bits included.</summary>
    public static string Dir(string root, string relative, string? mode = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(path);
        if (mode is not null) Chmod(path, mode);
        return path;
    }

    public static void Chmod(string path, string mode) => System.IO.File.SetUnixFileMode(path, Mode(mode));

    /// <summary>A mode written as chmod takes it ("1777").</summary>
    public static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    public static void HardLink(string existing, string link)
        => Tools.Run("ln", existing, link).EnsureSuccess($"ln {existing} {link}");

    /// <summary>The engine tests' minimal rootfs: accounts only the image has (svc 4100, licensed 4200) and /tmp 1777.</summary>
    public static string Rootfs(string root)
    {
        File(root, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nsvc:x:4100:4200:service:/home/svc:/bin/sh\n");
        File(root, "etc/group", "root:x:0:\nlicensed:x:4200:svc\n");
        File(root, "etc/os-release", "NAME=test\n");
        Dir(root, "tmp", "1777");
        return root;
    }

    /// <summary>
    /// A rootfs a container can run: Debian's static busybox with the applets the tests call, passwd and group with
    /// image-only users, /tmp 1777 and an /opt whose unusual mode (0711) must survive modules landing below it.
    /// </summary>
    public static void BusyboxRootfs(string root)
    {
        var busybox = Tools.Require("busybox");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        System.IO.File.Copy(busybox, Path.Combine(root, "bin", "busybox"));
        Chmod(Path.Combine(root, "bin", "busybox"), "755");
        foreach (var applet in new[] { "sh", "env", "echo", "cat", "ls", "id", "stat", "true" })
            System.IO.File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
        TextRootfs(root);
    }

    /// <summary>The etc/tmp/opt part of the end-to-end rootfs (alice, bob, licensed), without binaries.</summary>
    public static void TextRootfs(string root)
    {
        File(root, "etc/passwd", Passwd, "644");
        File(root, "etc/group", Group, "644");
        File(root, "etc/os-release", "NAME=\"ContainerSdk e2e\"\nID=csdk-e2e\n", "644");
        Dir(root, "tmp", "1777");
        Dir(root, "opt", "711");
    }

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
}
