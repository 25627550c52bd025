using ContainerSdk.Core.Acl;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Acl;

/// <summary>
/// A temp directory tree whose ACLs are set with the real setfacl, and the real getfacl's view of it.
/// uids/gids 4242, 4343 and 4444 are assumed to have no name on the machine, so getfacl prints them as numbers.
/// </summary>
internal sealed class AclTree : IDisposable
{
    public TempDir Dir { get; } = new("acl");
    public string Root => Dir.Path;

    public static AclTree Create()
    {
        Tools.Require("setfacl");
        Tools.Require("getfacl");
        return new AclTree();
    }

    public string File(string relative, string content = "x")
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public string Folder(string relative)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(path);
        return path;
    }

    public void SetFacl(string relative, params string[] args) =>
        Tools.Run("setfacl", args.Append(Path.Combine(Root, relative))).EnsureSuccess($"setfacl {string.Join(' ', args)} {relative}");

    public void Chmod(string relative, string mode) =>
        Tools.Run("chmod", mode, Path.Combine(Root, relative)).EnsureSuccess($"chmod {mode} {relative}");

    /// <summary>getfacl -R run from the root, as a site admin makes a dump (names unless numeric).</summary>
    public string GetFacl(bool numeric) =>
        Tools.Run("getfacl", numeric ? new[] { "-R", "-n", "." } : new[] { "-R", "." }, workingDirectory: Root)
            .EnsureSuccess("getfacl -R").StdOut;

    /// <summary>The machine's own passwd/group: the names getfacl printed come from there, so only a test may use them.</summary>
    public static INameResolver MachineNames() =>
        new PasswdResolver(System.IO.File.OpenRead("/etc/passwd"), System.IO.File.OpenRead("/etc/group"), "the test machine's /etc/passwd and /etc/group");

    /// <summary>A small set of named and numeric entries covering every tag and a mask that restricts.</summary>
    public void Populate()
    {
        File("plain");
        File("named", "n");
        SetFacl("named", "-m", "u:root:rwx,u:4242:r--,g:root:r-x,g:4343:-w-");
        File("masked");
        SetFacl("masked", "-m", "u:4242:rwx,g::rwx,g:4343:rw-,m::r--");
        Folder("shared");
        SetFacl("shared", "-m", "u:4242:rwx");
        SetFacl("shared", "-d", "-m", "u:4242:rwx,g:4343:r-x");
        Chmod("shared", "g+s");
        Folder("tmp");
        Chmod("tmp", "1777");
        Folder("default-only");
        SetFacl("default-only", "-d", "-m", "u:4444:r-x");
        File("tool");
        Chmod("tool", "4755");
        File("sp ace");
        SetFacl("sp ace", "-m", "u:4242:r--");
        File("back\\slash");
        SetFacl("back\\slash", "-m", "u:4242:r--");
        File("new\nline");
        SetFacl("new\nline", "-m", "g:4343:r--");
        File("car\riage");
        File("ta\tb");
        File("ünïcödé-数据");
        SetFacl("ünïcödé-数据", "-m", "u:4242:rw-");
        Folder("sub/deeper");
        File("sub/deeper/f");
        SetFacl("sub/deeper/f", "-m", "u:4242:--x");
    }

    public void Dispose() => Dir.Dispose();
}
